/**
 * The online store: one row per (group storage, entity) holding the newest event's feature values.
 *
 * Newest wins, whatever the order of arrival: a row is replaced only by a record with a later event
 * time, or — at the same event time — by one whose values JSON sorts higher (a total order, so that
 * concurrent writers and replays converge on the same row whichever commits first; a record equal to
 * the stored one writes nothing). Every replacement is conditional on the revision read, so a writer
 * that lost a race reads again and decides again: an older event never overwrites a newer one.
 *
 * The physical TTL (`expiresAt`) follows the row's event time — event + ttlSeconds + 7 days — never
 * the time of writing, so an older record can neither overwrite nor refresh anything. Within those 7
 * days a read reports EXPIRED (the read-time check against the reader's TTL); after them the store has
 * dropped the row and a read reports MISSING.
 *
 * Writes go in transactions of up to 100 rows (DynamoDB TransactWriteItems; BatchWriteItem would be
 * cheaper but cannot carry conditions, and newest-wins needs them), after one batch read of every row
 * the request touches. A chunk that loses a race is read again and retried alone.
 */
import { MAX_TRANSACTION_OPS, type PutOp } from '../shared/ports/metadata-store';
import { type FeaturesDeps, forEachLimited, WRITE_CONCURRENCY, withOptimisticRetry } from './deps';
import { onlineKey } from './keys';
import type { ValidRecord } from './records';
import { json, type OnlineRow, type StoredGroupVersion } from './stored';

/** Days an expired row stays readable as EXPIRED before the store's TTL removes it. */
export const PHYSICAL_GRACE_SECONDS = 7 * 24 * 3600;
/** DynamoDB caps a transaction at 4 MB; leave room for keys and attribute names. */
const MAX_TRANSACTION_BYTES = 3_500_000;

/** Whether `candidate` replaces `row` under newest-wins. */
export const replaces = (
  candidate: Pick<ValidRecord, 'eventMs' | 'valuesJson'>,
  row: Pick<OnlineRow, 'eventMs' | 'values'>,
): boolean =>
  candidate.eventMs > row.eventMs || (candidate.eventMs === row.eventMs && candidate.valuesJson > row.values);

/** The newest record of each entity in a batch, by the same rule as the store applies. */
export const newestPerEntity = (records: readonly ValidRecord[]): ValidRecord[] => {
  const best = new Map<string, ValidRecord>();
  for (const record of records) {
    const known = best.get(record.entityId);
    if (!known || replaces(record, { eventMs: known.eventMs, values: known.valuesJson }))
      best.set(record.entityId, record);
  }
  return [...best.values()];
};

const physicalExpiry = (group: StoredGroupVersion, eventMs: number): number | undefined =>
  group.ttlSeconds === undefined
    ? undefined
    : Math.floor(eventMs / 1000) + group.ttlSeconds + PHYSICAL_GRACE_SECONDS;

/** Splits indices into chunks of at most 100 ops and ~3.5 MB. */
const chunksOf = (records: readonly ValidRecord[]): number[][] => {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  records.forEach((record, i) => {
    const size = record.valuesJson.length + record.entityId.length + 200;
    if (
      current.length === MAX_TRANSACTION_OPS ||
      (current.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
};

export interface UpsertOutcome {
  /** Rows replaced or created. */
  readonly written: number;
  /** Entities whose stored row was as new or newer. */
  readonly kept: number;
}

/** Upserts the newest record per entity into the group version's online storage. */
export const upsertOnline = async (
  deps: FeaturesDeps,
  group: StoredGroupVersion,
  records: readonly ValidRecord[],
): Promise<UpsertOutcome> => {
  const winners = newestPerEntity(records);
  const keys = winners.map((w) => onlineKey(group.name, group.storageVersion, w.entityId));
  const firstRead = await deps.store.batchGet(keys);
  let written = 0;
  await forEachLimited(chunksOf(winners), WRITE_CONCURRENCY, async (indices) => {
    let reread = false;
    const count = await withOptimisticRetry(deps.retry, async () => {
      const rows = reread
        ? await deps.store.batchGet(indices.map((i) => keys[i] as (typeof keys)[number]))
        : indices.map((i) => firstRead[i]);
      reread = true;
      const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
      const ops: PutOp[] = [];
      indices.forEach((index, j) => {
        const record = winners[index] as ValidRecord;
        const item = rows[j];
        if (item && !replaces(record, item.data as unknown as OnlineRow)) return;
        const expiresAt = physicalExpiry(group, record.eventMs);
        // Already past its physical expiry: it would be invisible, and so is any older row it could replace.
        if (expiresAt !== undefined && expiresAt <= nowSeconds) return;
        const row: OnlineRow = {
          eventMs: record.eventMs,
          eventTime: record.eventTime,
          values: record.valuesJson,
        };
        ops.push({
          kind: 'put',
          ...(keys[index] as (typeof keys)[number]),
          data: json(row),
          ...(expiresAt === undefined ? {} : { expiresAt }),
          condition: { rev: item?.rev ?? 0 },
        });
      });
      if (ops.length > 0) await deps.store.transact(ops);
      return ops.length;
    });
    written += count;
  });
  return { written, kept: winners.length - written };
};
