import { parentPort, workerData } from 'node:worker_threads';
import type { BaselineProfile } from './profile';
import { summarizeShard } from './summary';
import type { TableInput } from './types';

/** One worker thread: receives the baseline once, then shards; answers each with its summary. */
export interface ShardRequest {
  readonly id: number;
  readonly shard: TableInput;
}
export type ShardResponse =
  | { readonly id: number; readonly summary: ReturnType<typeof summarizeShard> }
  | { readonly id: number; readonly error: string };

const baseline = (workerData as { baseline: BaselineProfile }).baseline;
parentPort?.on('message', ({ id, shard }: ShardRequest) => {
  try {
    parentPort?.postMessage({ id, summary: summarizeShard(baseline, shard) } satisfies ShardResponse);
  } catch (error) {
    parentPort?.postMessage({
      id,
      error: error instanceof Error ? error.message : String(error),
    } satisfies ShardResponse);
  }
});
