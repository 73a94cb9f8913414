/**
 * The run search index: answers MLflow-style searches over experiment-tracking runs.
 *
 * Every adapter reads the same source of truth — the run items of the metadata store, laid out as
 * below — so there is one write path (the experiments core writing a run item) and no second copy to
 * keep in step by hand:
 * - SQLite (local): typed tables derived from the run items by triggers in the same database, so the
 *   index row changes in the same transaction as the run item;
 * - scan (cloud): the DynamoDB run items of the experiment's partition ARE the index, read and filtered
 *   in memory.
 * test/contract/run-search-index.contract.ts holds both to the same results.
 */
import type { JsonObject } from './metadata-store';

/** Run items live in one partition per experiment: `experiment-runs#<experimentId>`, sort key = run id. */
export const RUN_PARTITION_PREFIX = 'experiment-runs#';

export const runPartitionKey = (experimentId: string): string => `${RUN_PARTITION_PREFIX}${experimentId}`;

export const RUN_STATUSES = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The latest value of a metric: the point with the greatest (step, timestamp, value), as MLflow keeps it. */
export type LatestMetric = {
  readonly value: number;
  readonly step: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
};

export type ModelVersionLink = {
  readonly model: string;
  readonly version: number;
  readonly linkedAt: string;
};

/** The data of a run item: what the API shows of a run and what every index searches. */
export type RunRecord = {
  readonly runId: string;
  readonly experimentId: string;
  readonly name?: string;
  readonly status: RunStatus;
  /** Who created the run (the caller's identity). */
  readonly userId: string;
  /** Epoch milliseconds. */
  readonly startTime: number;
  /** Epoch milliseconds; absent while the run is RUNNING. */
  readonly endTime?: number;
  /** Values as strings, as MLflow stores them. */
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly metrics: Readonly<Record<string, LatestMetric>>;
  readonly modelVersions: readonly ModelVersionLink[];
  readonly createdAt: string;
  readonly updatedAt: string;
};

/** The record as the metadata store holds it (optional fields are omitted, never undefined). */
export const runRecordToJson = (record: RunRecord): JsonObject => record as unknown as JsonObject;

export const NUMERIC_ATTRIBUTES = ['start_time', 'end_time'] as const;
export const STRING_ATTRIBUTES = ['run_id', 'run_name', 'status', 'user_id'] as const;
export type NumericAttribute = (typeof NUMERIC_ATTRIBUTES)[number];
export type StringAttribute = (typeof STRING_ATTRIBUTES)[number];

/** What a filter or an ordering names: `metrics.auc`, `params.max_depth`, `tags.team`, `attributes.status`. */
export type RunField =
  | { readonly kind: 'metric'; readonly key: string }
  | { readonly kind: 'param' | 'tag'; readonly key: string }
  | { readonly kind: 'attribute'; readonly key: NumericAttribute | StringAttribute };

export type ScalarComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/**
 * One comparison of a filter. Metrics and time attributes hold numbers; params, tags and the other
 * attributes hold strings (compared in code point order, LIKE/ILIKE with `%` and `_`, ILIKE folding
 * ASCII letters only). A run that lacks the field matches no comparison, `!=` and NOT IN included.
 */
export type Comparison =
  | { readonly field: RunField; readonly op: ScalarComparator; readonly value: number | string }
  | { readonly field: RunField; readonly op: 'LIKE' | 'ILIKE'; readonly value: string }
  | { readonly field: RunField; readonly op: 'IN' | 'NOT IN'; readonly values: readonly string[] };

export type OrderKey = { readonly field: RunField; readonly descending: boolean };

export interface RunSearchQuery {
  /** At least one. */
  readonly experimentIds: readonly string[];
  /** All must hold (AND). */
  readonly filter: readonly Comparison[];
  /**
   * Runs lacking a key sort after those that have it, in either direction (MLflow's rule). After these
   * keys come `attributes.start_time desc` and `attributes.run_id asc`, so the order is total.
   */
  readonly orderBy: readonly OrderKey[];
  readonly limit: number;
  /** Runs to skip in that order. */
  readonly offset: number;
}

export interface RunSearchPage {
  readonly runs: RunRecord[];
  /** Whether at least one more run follows this page. */
  readonly more: boolean;
}

export interface RunSearchIndex {
  search(query: RunSearchQuery): Promise<RunSearchPage>;
}
