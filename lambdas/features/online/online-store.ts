/**
 * The online store: one row per (group storage, entity) holding the newest event's feature values.
 *
 * Newest wins, whatever the order of arrival: a row is replaced only by a record with a later event
 * time, or — at the same event time — by one whose values text sorts higher (UTF-8 bytes: a total
 * order, so that concurrent writers and replays converge on the same row whichever commits first; a
 * record equal to the stored one writes nothing). The store judges this itself as it writes
 * (`putIfNewer`: SQLite's upsert with the condition in its WHERE, DynamoDB's conditional UpdateItem on
 * the stored event time), so there is no read before the write and no race between the two.
 *
 * The physical TTL (`expiresAt`) follows the row's event time — event + ttlSeconds + 7 days — never
 * the time of writing, so an older record can neither overwrite nor refresh anything. Within those 7
 * days a read reports EXPIRED (the read-time check against the reader's TTL); after them the store has
 * dropped the row and a read reports MISSING.
 */
import type { NewerPutOp } from '../../shared/ports/metadata-store';
import { json } from '../../shared/stored';
import type { FeaturesDeps } from '../deps';
import type { ValidRecord } from '../ingest/validation';
import { onlineKey } from '../keys';
import { ONLINE_RECENCY, type OnlineRow, type StoredGroupVersion } from '../records';

/** Days an expired row stays readable as EXPIRED before the store's TTL removes it. */
export const PHYSICAL_GRACE_SECONDS = 7 * 24 * 3600;

/** Orders strings by their UTF-8 bytes, as both stores do; JS's own order differs only around surrogates. */
const compareUtf8 = (a: string, b: string): number => {
  if (a === b) return 0;
  // Below U+D800, UTF-16 code unit order is code point order, which is UTF-8 byte order.
  if (!/[\uD800-\uFFFF]/.test(a) && !/[\uD800-\uFFFF]/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
};

/** Whether `candidate` replaces `row` under newest-wins (the rule `putIfNewer` applies in the store). */
export const replaces = (
  candidate: Pick<ValidRecord, 'eventMs' | 'valuesJson'>,
  row: Pick<OnlineRow, 'eventMs' | 'values'>,
): boolean =>
  candidate.eventMs > row.eventMs ||
  (candidate.eventMs === row.eventMs && compareUtf8(candidate.valuesJson, row.values) > 0);

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

export interface UpsertOutcome {
  /** Rows replaced or created. */
  readonly written: number;
  /** Entities whose stored row was as new or newer (or whose record was past its physical expiry). */
  readonly kept: number;
}

/** Upserts the newest record per entity into the group version's online storage, in one store call. */
export const upsertOnline = async (
  deps: FeaturesDeps,
  group: StoredGroupVersion,
  records: readonly ValidRecord[],
): Promise<UpsertOutcome> => {
  const winners = newestPerEntity(records);
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  const ops: NewerPutOp[] = [];
  for (const record of winners) {
    const expiresAt = physicalExpiry(group, record.eventMs);
    // Already past its physical expiry: it would be invisible, and so is any older row it could replace.
    if (expiresAt !== undefined && expiresAt <= nowSeconds) continue;
    const row: OnlineRow = { eventMs: record.eventMs, values: record.valuesJson };
    const key = onlineKey(group.name, group.storageVersion, record.entityId);
    ops.push(
      expiresAt === undefined
        ? { pk: key.pk, sk: key.sk, data: json(row) }
        : { pk: key.pk, sk: key.sk, data: json(row), expiresAt },
    );
  }
  const outcomes = ops.length === 0 ? [] : await deps.store.putIfNewer(ops, ONLINE_RECENCY);
  let written = 0;
  for (const outcome of outcomes) if (outcome) written++;
  return { written, kept: winners.length - written };
};
