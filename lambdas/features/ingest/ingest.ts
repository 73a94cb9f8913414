/**
 * Ingestion: validate every record against the group version; keep each rejected record in
 * quarantine with its reasons (never dropped silently); hand the accepted ones to the offline sink,
 * upsert them into the online store (newest event wins), and merge the batch's quality summary into
 * the version's statistics.
 *
 * Order matters for failures: quarantine first (rejections are never lost), then offline (a row served
 * online is always in the training data), then online, then statistics. A request that fails midway is
 * safe to retry — online upserts are idempotent, offline may then hold a duplicate row (identical, so
 * the point-in-time join is unaffected), and statistics may count the batch twice.
 */

import { apiPage } from '../../shared/page';
import type { PutOp } from '../../shared/ports/metadata-store';
import { MAX_TRANSACTION_OPS } from '../../shared/ports/metadata-store';
import { json } from '../../shared/stored';
import { loadGroupVersion } from '../definitions/groups';
import { type FeaturesDeps, forEachLimited, WRITE_CONCURRENCY, withOptimisticRetry } from '../deps';
import { quarantinePk, statsKey } from '../keys';
import { upsertOnline } from '../online/online-store';
import { decodeQuarantineEntry, type StoredGroupVersion, type StoredQuarantineEntry } from '../records';
import { mergeSummaries, QualityBuilder, type QualitySummary } from './quality';
import { type RecordIssue, recordValidator, type ValidRecord } from './validation';

export interface Rejection {
  readonly index: number;
  readonly field: string;
  readonly reason: string;
}

export interface IngestOutcome {
  readonly group: string;
  readonly version: number;
  readonly accepted: number;
  readonly rejected: Rejection[];
  /** Online rows created or replaced; the rest of the accepted entities held a newer or equal event. */
  readonly onlineWritten: number;
}

export interface QuarantineEntry {
  readonly id: string;
  readonly group: string;
  readonly version: number;
  readonly index: number;
  /** The record as sent, or the first 64 KB of its JSON as a string when larger (`truncated`). */
  readonly record: unknown;
  readonly truncated: boolean;
  readonly issues: readonly RecordIssue[];
  readonly receivedAt: string;
  readonly actor: string;
}

const MAX_QUARANTINED_RECORD_CHARS = 64 * 1024;
const MAX_QUARANTINE_TRANSACTION_CHARS = 3_000_000;

const entryView = ({ recordJson, ...entry }: StoredQuarantineEntry): QuarantineEntry => ({
  ...entry,
  record: entry.truncated ? recordJson : JSON.parse(recordJson),
});

const quarantine = async (
  deps: FeaturesDeps,
  group: StoredGroupVersion,
  rejected: readonly { index: number; record: unknown; issues: readonly RecordIssue[] }[],
  actor: string,
): Promise<void> => {
  const now = deps.clock.now();
  const expiresAt = Math.floor(now.getTime() / 1000) + deps.quarantineTtlSeconds;
  const transactions: PutOp[][] = [];
  let ops: PutOp[] = [];
  let size = 0;
  const flush = () => {
    if (ops.length > 0) transactions.push(ops);
    ops = [];
    size = 0;
  };
  for (const { index, record, issues } of rejected) {
    const text = JSON.stringify(record) ?? 'null';
    const truncated = text.length > MAX_QUARANTINED_RECORD_CHARS;
    const entry: StoredQuarantineEntry = {
      id: deps.newId(),
      group: group.name,
      version: group.version,
      index,
      recordJson: truncated ? text.slice(0, MAX_QUARANTINED_RECORD_CHARS) : text,
      truncated,
      issues,
      receivedAt: now.toISOString(),
      actor,
    };
    const data = json(entry);
    const chars = JSON.stringify(data).length;
    if (ops.length === MAX_TRANSACTION_OPS || size + chars > MAX_QUARANTINE_TRANSACTION_CHARS) flush();
    ops.push({
      kind: 'put',
      pk: quarantinePk(group.name),
      sk: entry.id,
      data,
      expiresAt,
      condition: { rev: 0 },
    });
    size += chars;
  }
  flush();
  await forEachLimited(transactions, WRITE_CONCURRENCY, (transaction) => deps.store.transact(transaction));
};

/** Merges a batch's summary into one shard of the version's statistics (shard picked at random). */
const recordQuality = async (
  deps: FeaturesDeps,
  group: StoredGroupVersion,
  summary: QualitySummary,
): Promise<void> => {
  const key = statsKey(group.name, group.version, Math.floor(Math.random() * deps.statsShards));
  await withOptimisticRetry(deps.retry, async () => {
    const item = await deps.store.get(key);
    const merged = item
      ? mergeSummaries(JSON.parse(String(item.data.summary)) as QualitySummary, summary)
      : summary;
    // Text, not a map: min/max/mean may be any float, which DynamoDB numbers cannot always hold.
    await deps.store.put({
      ...key,
      data: { summary: JSON.stringify(merged) },
      condition: { rev: item?.rev ?? 0 },
    });
  });
};

/**
 * Ingests records into a group version (the latest when `version` is absent). Accepted records are
 * normalised in place (see ValidRecord.offline): callers hand them over.
 */
export const ingestRecords = async (
  deps: FeaturesDeps,
  name: string,
  input: { readonly records: readonly unknown[]; readonly version?: number | undefined },
  actor: string,
): Promise<IngestOutcome> => {
  const group = await loadGroupVersion(deps, name, input.version);
  const quality = new QualityBuilder(group.features.map((f) => f.name));
  const check = recordValidator(group, deps.clock.now().getTime(), (values, eventMs) =>
    quality.add(values, eventMs),
  );
  const accepted: ValidRecord[] = [];
  const rejectedRecords: { index: number; record: unknown; issues: readonly RecordIssue[] }[] = [];
  input.records.forEach((raw, index) => {
    const result = check(raw);
    if (result.ok) accepted.push(result.record);
    else rejectedRecords.push({ index, record: raw, issues: result.issues });
  });
  quality.reject(rejectedRecords.length);
  if (rejectedRecords.length > 0) await quarantine(deps, group, rejectedRecords, actor);
  let onlineWritten = 0;
  if (accepted.length > 0) {
    await deps.offline.append(
      group,
      accepted.map((r) => r.offline),
    );
    onlineWritten = (await upsertOnline(deps, group, accepted)).written;
  }
  await recordQuality(deps, group, quality.summary());
  return {
    group: group.name,
    version: group.version,
    accepted: accepted.length,
    rejected: rejectedRecords.flatMap(({ index, issues }) => issues.map((issue) => ({ index, ...issue }))),
    onlineWritten,
  };
};

/** Quarantined records, newest first. */
export const listQuarantine = async (
  deps: FeaturesDeps,
  name: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: QuarantineEntry[]; nextToken?: string }> => {
  await loadGroupVersion(deps, name);
  const result = await deps.store.query(quarantinePk(name), {
    limit: page.limit,
    cursor: page.cursor,
    descending: true,
  });
  return apiPage(result, (item) => entryView(decodeQuarantineEntry(item)));
};
