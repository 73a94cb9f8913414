/**
 * What other capabilities may tell or ask the feature store, on the shared metadata store, without
 * knowing where it keeps its items (keys.ts is the feature store's own).
 */
import type { MetadataStore } from '../shared/ports/metadata-store';
import type { QualitySummary } from './ingest/quality';
import { groupKey, groupsPkOf, usedByModelKey } from './keys';
import { decodeGroupHead } from './records';

/**
 * Names a model version among the users of a group version (GET /feature-groups/{name} usedBy.models):
 * one item per group and model, the latest registration's.
 */
export const recordModelUse = async (
  store: Pick<MetadataStore, 'put'>,
  use: {
    readonly group: string;
    readonly groupVersion: number;
    readonly model: string;
    readonly modelVersion: number;
  },
): Promise<void> => {
  await store.put({
    ...usedByModelKey(use.group, use.model),
    data: { model: use.model, modelVersion: use.modelVersion, groupVersion: use.groupVersion },
  });
};

/** What freshness is judged on: the group's TTL, and the newest event time its ingestion has seen. */
export interface GroupEventTimes {
  readonly ttlSeconds: number | undefined;
  /** Epoch ms; null when no record was ingested. */
  readonly newestEventMs: number | null;
}

/** The newest event time in the group's quality statistics (every version's shards: additive versions share storage). */
const newestEventMs = async (store: Pick<MetadataStore, 'query'>, name: string): Promise<number | null> => {
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

/** Event times of each group (same index); undefined for a group the feature store does not know. */
export const readGroupEventTimes = async (
  store: Pick<MetadataStore, 'batchGet' | 'query'>,
  names: readonly string[],
): Promise<(GroupEventTimes | undefined)[]> => {
  if (names.length === 0) return [];
  const heads = await store.batchGet(names.map((name) => groupKey(name)));
  return Promise.all(
    names.map(async (name, i) => {
      const item = heads[i];
      const head = item === undefined ? undefined : decodeGroupHead(item);
      if (!head) return undefined;
      return { ttlSeconds: head.latest.ttlSeconds, newestEventMs: await newestEventMs(store, name) };
    }),
  );
};
