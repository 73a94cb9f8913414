import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { rowCount } from './cells';
import type { BaselineProfile } from './profile';
import type { ShardResponse } from './shard-worker';
import { type CurrentSummary, mergeSummaries, summarizeShard } from './summary';
import type { TableInput } from './types';

/**
 * Summarising on every local core: rows are split into one contiguous shard per worker thread, each
 * worker bins its shard against the baseline, and the summaries merge by addition — the same
 * split-apply-merge a Step Functions Distributed Map does over S3 objects in the cloud.
 */

/** Below this many rows per shard, messaging costs more than the threads save. */
const MIN_ROWS_PER_SHARD = 50_000;
/**
 * Shards per worker: each worker takes the next shard when it is done, so a worker slowed down (a
 * busy core on a shared machine) holds up the merge by one small shard, not by half the table.
 */
const SHARDS_PER_WORKER = 4;

/**
 * A row range of a column, sent to a worker. Float64Arrays over a SharedArrayBuffer go as views
 * (no copy); anything else is sliced, because a view of an ordinary buffer would clone all of it.
 */
const shardOf = (table: TableInput, from: number, to: number): TableInput =>
  Object.fromEntries(
    Object.entries(table).map(([name, column]) => [
      name,
      column instanceof Float64Array && column.buffer instanceof SharedArrayBuffer
        ? column.subarray(from, to)
        : column.slice(from, to),
    ]),
  );

/** Worker threads that keep a baseline and summarise tables against it, shard by shard. */
export class SummaryWorkers {
  private readonly workers: Worker[];
  private readonly pending = new Map<
    number,
    { resolve: (s: CurrentSummary) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;

  constructor(
    private readonly baseline: BaselineProfile,
    readonly size = Math.max(1, availableParallelism()),
  ) {
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./shard-worker.cjs', import.meta.url), { workerData: { baseline } });
      worker.on('message', (response: ShardResponse) => this.settle(response));
      worker.on('error', (error) => this.failAll(error));
      return worker;
    });
  }

  /** Summary of the whole table: one shard per worker (or in this thread when it is small), merged. */
  async summarize(table: TableInput): Promise<CurrentSummary> {
    const rows = rowCount(table, 'current');
    const shards = Math.min(this.workers.length * SHARDS_PER_WORKER, Math.floor(rows / MIN_ROWS_PER_SHARD));
    if (shards <= 1) return summarizeShard(this.baseline, table);
    let next = 0;
    const work = async (worker: Worker): Promise<CurrentSummary[]> => {
      const done: CurrentSummary[] = [];
      for (let s = next++; s < shards; s = next++)
        done.push(
          await this.send(
            worker,
            shardOf(table, Math.floor((s * rows) / shards), Math.floor(((s + 1) * rows) / shards)),
          ),
        );
      return done;
    };
    const summaries = (await Promise.all(this.workers.map(work))).flat();
    return summaries.reduce(mergeSummaries);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private send(worker: Worker, shard: TableInput): Promise<CurrentSummary> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, shard });
    });
  }

  private settle(response: ShardResponse): void {
    const waiting = this.pending.get(response.id);
    this.pending.delete(response.id);
    if ('error' in response) waiting?.reject(new Error(response.error));
    else waiting?.resolve(response.summary);
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}

/** Summarises a table on `workers` threads (default: every core) and merges the shards' summaries. */
export const summarizeInWorkers = async (
  baseline: BaselineProfile,
  table: TableInput,
  workers?: number,
): Promise<CurrentSummary> => {
  if (rowCount(table, 'current') < 2 * MIN_ROWS_PER_SHARD) return summarizeShard(baseline, table);
  const pool = new SummaryWorkers(baseline, workers);
  try {
    return await pool.summarize(table);
  } finally {
    await pool.close();
  }
};
