import type { FeatureGroupVersion } from '../../shared/ports/feature-group-version';
import {
  epochMsOf,
  INGEST_BATCH,
  INGEST_ROW,
  INGESTED_AT,
  keyTextOf,
  offlineColumnsOf,
  offlineFileKey,
  utcDateOf,
} from './layout';
import { encodeParquetColumns } from './parquet';

/** One Parquet file of an appended batch: its key below the offline root and its bytes. */
export interface OfflineFile {
  readonly key: string;
  readonly body: Uint8Array;
  readonly rowCount: number;
}

/**
 * Turns one appended batch into its files: one per UTC event date, rows in batch order, each record
 * stamped with `ingested_at`, the batch id and its index in the batch. Throws on a record whose event time is not a time
 * (the sink receives validated records, so this is a bug upstream, not a user error).
 */
export const offlineFilesOf = (
  group: FeatureGroupVersion,
  records: readonly Record<string, unknown>[],
  ingestedAt: Date,
  batchId: string,
): OfflineFile[] => {
  const columns = offlineColumnsOf(group);
  const times = records.map((record, index) => {
    const eventMs = epochMsOf(record[group.eventTimeField]);
    if (eventMs === undefined) {
      throw new TypeError(`record ${index} of ${group.name}: ${group.eventTimeField} is not a time`);
    }
    return eventMs;
  });
  // Indexes of the records of each date, in batch order; columns are then built straight from them
  // (no per-record copies: this runs on every ingested record).
  const byDate = new Map<string, number[]>();
  times.forEach((eventMs, index) => {
    const date = utcDateOf(eventMs);
    const indexes = byDate.get(date);
    if (indexes) indexes.push(index);
    else byDate.set(date, [index]);
  });
  const keys = new Set(group.entityKeys);
  return [...byDate].map(([date, indexes]) => {
    const data = columns.map((column): unknown[] => {
      if (column.name === group.eventTimeField) return indexes.map((i) => times[i]);
      if (keys.has(column.name)) return indexes.map((i) => keyTextOf(records[i]?.[column.name]));
      if (column.name === INGESTED_AT) return indexes.map(() => ingestedAt);
      if (column.name === INGEST_BATCH) return indexes.map(() => batchId);
      if (column.name === INGEST_ROW) return indexes;
      return indexes.map((i) => records[i]?.[column.name]);
    });
    return {
      key: offlineFileKey(group, date, batchId),
      body: encodeParquetColumns(columns, data),
      rowCount: indexes.length,
    };
  });
};
