/**
 * Feature services: named, versioned sets of features that models pin (`name@version`). Each
 * reference is pinned to a group version when the service version is made (`group:feature` → the
 * group's latest version then), so a service version always reads the same definitions. Posting the
 * same features (after pinning) and description again changes nothing; anything else makes version
 * n+1. `usedBy` names models that use the service; it accumulates on the service, is not versioned,
 * and shows on every group the service reads.
 */
import { ValidationError } from '../../shared/errors';
import type { WriteOp } from '../../shared/ports/metadata-store';
import { json } from '../../shared/stored';
import { type FeaturesDeps, withOptimisticRetry } from '../deps';
import { FeatureServiceNotFoundError } from '../errors';
import { serviceKey, servicesPkOf, serviceVersionKey, usedByKey, VERSION_PREFIX } from '../keys';
import {
  decodeServiceHead,
  decodeServiceVersion,
  type ServiceFeature,
  type ServiceHead,
  type StoredGroupVersion,
  type StoredServiceVersion,
} from '../records';
import { resolveReferences } from './references';

/** Groups one service version may read: its used-by entries share a transaction with it (≤ 100 ops). */
export const MAX_GROUPS_PER_SERVICE = 98;

export interface ServiceInput {
  readonly name: string;
  readonly features: readonly string[];
  readonly description?: string | undefined;
  readonly usedBy?: readonly string[] | undefined;
}

export interface ServiceView {
  readonly name: string;
  readonly version: number;
  readonly description?: string;
  /** As posted: the names the online API answers with. */
  readonly features: string[];
  /** Each feature pinned: `group@version:feature`. */
  readonly resolved: string[];
  readonly usedBy: string[];
  readonly createdAt: string;
  readonly createdBy: string;
}

const viewOf = (version: StoredServiceVersion, usedBy: readonly string[]): ServiceView => ({
  name: version.name,
  version: version.version,
  ...(version.description === undefined ? {} : { description: version.description }),
  features: version.features.map((f) => f.reference),
  resolved: version.features.map((f) => `${f.group}@${f.version}:${f.feature}`),
  usedBy: [...usedBy],
  createdAt: version.createdAt,
  createdBy: version.createdBy,
});

const sameService = (
  a: StoredServiceVersion,
  features: readonly ServiceFeature[],
  description: string | undefined,
) => JSON.stringify(a.features) === JSON.stringify(features) && a.description === description;

export const applyService = async (
  deps: FeaturesDeps,
  input: ServiceInput,
  actor: string,
): Promise<{ created: boolean; service: ServiceView }> => {
  const { refs, versions, errors } = await resolveReferences(deps, input.features, 'body.features');
  if (errors.length > 0) throw new ValidationError(errors);
  const features: ServiceFeature[] = refs.map((ref, i) => ({
    reference: ref.text,
    group: ref.group,
    version: (versions[i] as StoredGroupVersion).version,
    feature: ref.feature,
  }));
  const groups = [...new Map(features.map((f) => [`${f.group}@${f.version}`, f])).values()];
  if (new Set(groups.map((g) => g.group)).size > MAX_GROUPS_PER_SERVICE) {
    throw new ValidationError([
      {
        field: 'body.features',
        rule: 'max_groups',
        message: `a service reads at most ${MAX_GROUPS_PER_SERVICE} feature groups`,
      },
    ]);
  }
  const outcome = await withOptimisticRetry(deps.retry, async () => {
    const headItem = await deps.store.get(serviceKey(input.name));
    const head = headItem === undefined ? undefined : decodeServiceHead(headItem);
    const now = deps.clock.now().toISOString();
    const usedBy = [...new Set([...(head?.usedBy ?? []), ...(input.usedBy ?? [])])].sort();
    if (head && sameService(head.latest, features, input.description)) {
      if (usedBy.length !== head.usedBy.length) {
        await deps.store.put({
          ...serviceKey(input.name),
          data: json({ ...head, usedBy, updatedAt: now }),
          condition: { rev: headItem?.rev ?? 0 },
        });
      }
      return { created: false, service: viewOf(head.latest, usedBy) };
    }
    const version = (head?.latestVersion ?? 0) + 1;
    const record: StoredServiceVersion = {
      name: input.name,
      version,
      ...(input.description === undefined ? {} : { description: input.description }),
      features,
      createdAt: now,
      createdBy: actor,
    };
    const next: ServiceHead = {
      name: input.name,
      latestVersion: version,
      usedBy,
      createdAt: head?.createdAt ?? now,
      updatedAt: now,
      latest: record,
    };
    const ops: WriteOp[] = [
      { kind: 'put', ...serviceKey(input.name), data: json(next), condition: { rev: headItem?.rev ?? 0 } },
      { kind: 'put', ...serviceVersionKey(input.name, version), data: json(record), condition: { rev: 0 } },
      ...new Map(
        features.map((f) => [
          f.group,
          {
            kind: 'put' as const,
            ...usedByKey(f.group, input.name, version),
            data: { service: input.name, version },
          },
        ]),
      ).values(),
    ];
    await deps.store.transact(ops);
    return { created: true, service: viewOf(record, usedBy) };
  });
  if (outcome.created) deps.definitions.forgetLatestService(input.name);
  return outcome;
};

export const getService = async (
  deps: FeaturesDeps,
  name: string,
): Promise<{
  name: string;
  latestVersion: number;
  usedBy: string[];
  versions: ServiceView[];
  createdAt: string;
  updatedAt: string;
}> => {
  const head = await deps.store.get(serviceKey(name));
  if (!head) throw new FeatureServiceNotFoundError(name);
  const data = decodeServiceHead(head);
  const versions: ServiceView[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(servicesPkOf(name), { prefix: VERSION_PREFIX, limit: 1000, cursor });
    versions.push(...page.items.map((item) => viewOf(decodeServiceVersion(item), data.usedBy)));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return {
    name,
    latestVersion: data.latestVersion,
    usedBy: [...data.usedBy],
    versions,
    createdAt: data.createdAt,
    updatedAt: data.updatedAt,
  };
};
