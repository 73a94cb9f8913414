import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionFailedError } from '../shared/errors';
import type { Clock } from '../shared/ports/clock';
import type { ItemKey, MetadataStore } from '../shared/ports/metadata-store';
import { type RunRecord, type RunSearchIndex, runRecordToJson } from '../shared/ports/run-search-index';
import { RunNotFoundError, RunTooLargeError } from './errors';
import { runKey, runRefKey } from './keys';
import { decodeRun } from './records';

/** The ports experiment tracking runs on. */
export interface ExperimentsDeps {
  readonly store: MetadataStore;
  /** SQLite tables in the store's own database locally; a scan of the run partitions in the cloud. */
  readonly searchIndex: RunSearchIndex;
  readonly clock: Clock;
  /** Time-sortable ids (ULIDs, see shared/ids.ts) for experiments and runs. */
  readonly newId: () => string;
  /**
   * Whether a model version exists, when the registry is wired in; links to versions it denies get a 404.
   * @default - links are recorded without a check
   */
  readonly modelVersionExists?: (model: string, version: number) => Promise<boolean>;
}

/** The deps plus what the core keeps between requests: where each run lives. */
export interface ExperimentsContext extends ExperimentsDeps {
  /** The key of a run's item; RunNotFoundError when there is no such run. */
  locateRun(runId: string): Promise<ItemKey>;
}

// A run never moves to another experiment, so where it lives can be remembered for the process's life.
const MAX_REMEMBERED_RUNS = 10_000;

export const experimentsContext = (deps: ExperimentsDeps): ExperimentsContext => {
  const experimentOf = new Map<string, string>();
  return {
    ...deps,
    async locateRun(runId) {
      let experimentId = experimentOf.get(runId);
      if (experimentId === undefined) {
        const ref = await deps.store.get<{ experimentId: string }>(runRefKey(runId));
        if (!ref) throw new RunNotFoundError(runId);
        experimentId = ref.data.experimentId;
        if (experimentOf.size >= MAX_REMEMBERED_RUNS) experimentOf.clear();
        experimentOf.set(runId, experimentId);
      }
      return runKey(experimentId, runId);
    },
  };
};

/** DynamoDB holds at most 400 KB per item; keep a margin for attribute names and overhead. */
export const MAX_RUN_BYTES = 350_000;

/** Throws RunTooLargeError, naming `field`, when the run would not fit in one item. */
export const assertRunFits = (run: RunRecord, field: string): void => {
  const bytes = Buffer.byteLength(JSON.stringify(run), 'utf8');
  if (bytes > MAX_RUN_BYTES) throw new RunTooLargeError(field, bytes, MAX_RUN_BYTES);
};

// Concurrent writers of one run (metric batches from parallel workers) retry on the revision they lost to.
const MAX_UPDATE_ATTEMPTS = 30;

/**
 * Read-modify-write of a run item, conditional on the revision read and retried when another writer
 * got there first. `change` returns the new record, or undefined when there is nothing to write; it
 * may throw to refuse the change (it sees the latest state on every attempt).
 */
export const updateRun = async (
  ctx: ExperimentsContext,
  runId: string,
  field: string,
  change: (run: RunRecord, now: Date) => RunRecord | undefined,
): Promise<RunRecord> => {
  const key = await ctx.locateRun(runId);
  for (let attempt = 1; ; attempt++) {
    const item = await ctx.store.get(key);
    if (!item) throw new RunNotFoundError(runId);
    const current = decodeRun(item);
    const next = change(current, ctx.clock.now());
    if (next === undefined) return current;
    assertRunFits(next, field);
    try {
      await ctx.store.put({ ...key, data: runRecordToJson(next), condition: { rev: item.rev } });
      return next;
    } catch (error) {
      if (!(error instanceof ConditionFailedError) || attempt >= MAX_UPDATE_ATTEMPTS) throw error;
      // Jittered, growing pause: the writers that collided spread out instead of colliding again.
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }
};
