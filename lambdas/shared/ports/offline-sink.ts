import type { FeatureGroupVersion } from './feature-group-version';

/**
 * Where accepted feature records go for training: Parquet partitioned by event date (S3 in the cloud,
 * files under MLOPS_HOME locally). Ingestion appends every accepted record here before it upserts the
 * online store, so a record served online is never missing offline.
 *
 * Records arrive as validated: the group's entity keys as sent, the event time field as an ISO-8601
 * UTC string (`toISOString()` form), and every feature of the version (null when absent and nullable).
 */
export interface OfflineSink {
  /** Appends in one go; throws if the records could not be made durable. */
  append(group: FeatureGroupVersion, records: readonly Record<string, unknown>[]): Promise<void>;
}

/** A sink that keeps nothing: the composition roots' choice until an offline store is wired in. */
export const noOpOfflineSink: OfflineSink = { append: async () => {} };
