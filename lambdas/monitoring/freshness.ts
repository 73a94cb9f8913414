/**
 * Staleness of the feature groups a model version reads, from the feature store's own records (read
 * through its public module): the newest event time in the group's quality statistics, against the
 * group's TTL or, without one, the monitor's threshold.
 */
import { readGroupEventTimes } from '../features/public';
import type { MetadataStore } from '../shared/ports/metadata-store';
import type { GroupFreshness } from './health';

const HOUR_MS = 3_600_000;

/** Freshness of each group; a group the feature store does not know counts as stale, with no event. */
export const featureGroupFreshness = async (
  store: MetadataStore,
  groups: readonly { readonly name: string; readonly version: number }[],
  now: Date,
  staleAfterHours: number,
): Promise<GroupFreshness[]> => {
  const times = await readGroupEventTimes(
    store,
    groups.map((group) => group.name),
  );
  return groups.map((group, i) => {
    const ttl = times[i]?.ttlSeconds;
    const limit = ttl === undefined ? staleAfterHours : ttl / 3600;
    const newest = times[i]?.newestEventMs ?? null;
    const ageHours = newest === null ? null : (now.getTime() - newest) / HOUR_MS;
    return {
      name: group.name,
      version: group.version,
      lastEventTime: newest === null ? null : new Date(newest).toISOString(),
      ageHours,
      staleAfterHours: limit,
      stale: ageHours === null || ageHours > limit,
    };
  });
};
