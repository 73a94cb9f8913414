/**
 * Staleness of the feature groups a model version reads, from the feature store's own records: the
 * newest event time in the group's quality statistics (every version's shards, as additive versions
 * share their storage), against the group's TTL or, without one, the monitor's threshold.
 */
import { groupKey, groupsPkOf } from '../features/keys';
import type { QualitySummary } from '../features/quality';
import type { GroupHead } from '../features/stored';
import type { MetadataStore } from '../shared/ports/metadata-store';
import type { GroupFreshness } from './health';

const HOUR_MS = 3_600_000;

const newestEventMs = async (store: MetadataStore, name: string): Promise<number | null> => {
  let newest: number | null = null;
  let cursor: string | undefined;
  do {
    const page = await store.query(groupsPkOf(name), { prefix: 'stats#', limit: 1000, cursor });
    for (const item of page.items) {
      const summary = JSON.parse(String(item.data.summary)) as QualitySummary;
      if (summary.lastEventMs !== null && (newest === null || summary.lastEventMs > newest)) {
        newest = summary.lastEventMs;
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  return newest;
};

/** Freshness of each group; a group the feature store does not know counts as stale, with no event. */
export const featureGroupFreshness = async (
  store: MetadataStore,
  groups: readonly { readonly name: string; readonly version: number }[],
  now: Date,
  staleAfterHours: number,
): Promise<GroupFreshness[]> => {
  if (groups.length === 0) return [];
  const heads = await store.batchGet(groups.map((group) => groupKey(group.name)));
  return Promise.all(
    groups.map(async (group, i) => {
      const head = heads[i]?.data as unknown as GroupHead | undefined;
      const ttl = head?.latest.ttlSeconds;
      const limit = ttl === undefined ? staleAfterHours : ttl / 3600;
      const newest = head ? await newestEventMs(store, group.name) : null;
      const ageHours = newest === null ? null : (now.getTime() - newest) / HOUR_MS;
      return {
        name: group.name,
        version: group.version,
        lastEventTime: newest === null ? null : new Date(newest).toISOString(),
        ageHours,
        staleAfterHours: limit,
        stale: ageHours === null || ageHours > limit,
      };
    }),
  );
};
