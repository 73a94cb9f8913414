import type { FeatureGroupVersion } from './feature-group-version';

/**
 * Runs the point-in-time join of a training set (lambdas/features/offline/point-in-time.sql.ts) over
 * the offline store: DuckDB on local Parquet files, Athena on S3 in the cloud.
 */

/** A cell of the join's result: ints as bigint, floats as number. */
export type TrainingSetCell = string | number | bigint | boolean | null;

export interface TrainingSetPlan {
  /**
   * Object key of the entities file (Parquet, in the platform's object store, alone in its folder): the
   * entity rows' own columns under positional names (`__mlops_c<i>`, so that no engine's naming rules
   * apply) plus the reserved `__mlops_row` (input order), `__mlops_time` and `__mlops_key_<j>` columns.
   */
  readonly entitiesKey: string;
  /** The entity rows' own columns as the entities file names and types them, in output order. */
  readonly entityColumns: readonly {
    readonly name: string;
    readonly type: 'string' | 'int' | 'float' | 'bool';
  }[];
  /** Entity key names; name j is in column `__mlops_key_<j>` of the entities file. */
  readonly keyNames: readonly string[];
  /** Each group version once. */
  readonly groups: readonly FeatureGroupVersion[];
  /**
   * For each group (same index), every version whose offline files hold its records: the version
   * itself and the other versions of its storage run (additive versions share one). Records of a
   * version that lacks a requested feature read it as null. Absent: each group reads its own files.
   */
  readonly sources?: readonly (readonly FeatureGroupVersion[])[];
  /** Feature columns in output order: which group (index into `groups`) and which feature. */
  readonly features: readonly { readonly group: number; readonly feature: string }[];
  /**
   * The earliest and latest time of the entity rows (epoch ms): the engine reads only the event-date
   * partitions that can matter (see point-in-time.sql.ts). Absent: every partition.
   */
  readonly entityTimes?: { readonly earliestMs: number; readonly latestMs: number };
}

export interface TrainingSetEngine {
  /** The join's rows in entity-row order; each row holds the entity columns, then the features. */
  pointInTime(plan: TrainingSetPlan): Promise<TrainingSetCell[][]>;
}
