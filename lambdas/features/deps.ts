import { sortableIdGenerator } from '../shared/ids';
import { DEFAULT_RETRY, type RetryPolicy } from '../shared/optimistic-retry';
import type { Clock } from '../shared/ports/clock';
import type { MetadataStore } from '../shared/ports/metadata-store';
import { noOpOfflineSink, type OfflineSink } from '../shared/ports/offline-sink';
import { DefinitionCache } from './definitions/definition-cache';

export {
  DEFAULT_RETRY,
  isContention,
  type RetryPolicy,
  withOptimisticRetry,
} from '../shared/optimistic-retry';

export interface FeaturesDeps {
  readonly store: MetadataStore;
  readonly clock: Clock;
  readonly offline: OfflineSink;
  /** ULIDs on `clock`, for quarantine entries. */
  readonly newId: () => string;
  readonly retry: RetryPolicy;
  /** Definitions for online reads; pinned versions are immutable, "latest" is trusted for `latestTtlMs`. */
  readonly definitions: DefinitionCache;
  /** Stored statistics shards per group version; more shards, fewer conflicts between concurrent ingestions. */
  readonly statsShards: number;
  /** How long rejected records stay in quarantine, in seconds. */
  readonly quarantineTtlSeconds: number;
}

/** 30 days: long enough to notice, fix the producer and replay; then DynamoDB's TTL removes them. */
export const QUARANTINE_TTL_SECONDS = 30 * 24 * 3600;

/**
 * How long an online read trusts a cached "latest version" of a group or service: within this time of
 * a new version, other instances may still serve the previous one. Pinned references (`@n`) are
 * immutable and cached without expiry. The instance that writes a version forgets its cache at once.
 */
export const LATEST_CACHE_MS = 1_000;

export const featuresDeps = (
  deps: Pick<FeaturesDeps, 'store' | 'clock'> &
    Partial<Omit<FeaturesDeps, 'store' | 'clock' | 'newId' | 'definitions'>> & { latestCacheMs?: number },
): FeaturesDeps => ({
  offline: deps.offline ?? noOpOfflineSink,
  retry: deps.retry ?? DEFAULT_RETRY,
  statsShards: deps.statsShards ?? 4,
  quarantineTtlSeconds: deps.quarantineTtlSeconds ?? QUARANTINE_TTL_SECONDS,
  store: deps.store,
  clock: deps.clock,
  newId: sortableIdGenerator(deps.clock),
  definitions: new DefinitionCache(deps.clock, deps.latestCacheMs ?? LATEST_CACHE_MS),
});

/**
 * Runs `task` over `items` with at most `limit` in flight: enough parallel DynamoDB transactions to
 * hide their latency, few enough to stay inside the SDK's socket pool (50) with room for other calls.
 */
export const forEachLimited = async <T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/** Transactions one ingestion request keeps in flight. */
export const WRITE_CONCURRENCY = 16;
