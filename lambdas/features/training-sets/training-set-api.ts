import { ValidationError } from '../../shared/errors';
import { parseServiceReference, resolveReferences, resolveService } from '../definitions/references';
import type { FeaturesDeps } from '../deps';
import { groupsPkOf, VERSION_PREFIX } from '../keys';
import { decodeGroupVersion, type StoredGroupVersion } from '../records';
import { createTrainingSet, type TrainingSet, type TrainingSetDeps } from './training-sets';

export interface TrainingSetRequest {
  readonly features?: readonly string[] | undefined;
  readonly featureService?: string | undefined;
  readonly entities?: readonly unknown[] | undefined;
  readonly entitiesUri?: string | undefined;
}

/**
 * Every version of `group` that shares `version`'s online/offline storage run (additive versions do):
 * ingestion writes under the latest one, so a set built on a pinned version must read them all.
 */
const storageRunOf = async (
  deps: FeaturesDeps,
  version: StoredGroupVersion,
): Promise<StoredGroupVersion[]> => {
  const siblings: StoredGroupVersion[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(groupsPkOf(version.name), {
      prefix: VERSION_PREFIX,
      limit: 1000,
      cursor,
    });
    for (const item of page.items) {
      const other = decodeGroupVersion(item);
      if (other.storageVersion === version.storageVersion && other.version !== version.version)
        siblings.push(other);
    }
    cursor = page.cursor;
  } while (cursor);
  return siblings;
};

/** The feature references a request names: its own list, or the pinned references of a service version. */
const referencesOf = async (
  deps: FeaturesDeps,
  request: TrainingSetRequest,
): Promise<{ texts: string[]; field: string }> => {
  if (request.featureService === undefined)
    return { texts: [...(request.features ?? [])], field: 'body.features' };
  const parsed = parseServiceReference(request.featureService);
  if (!parsed) {
    throw new ValidationError([
      {
        field: 'body.featureService',
        rule: 'feature_service_reference',
        message: 'must be name or name@version',
      },
    ]);
  }
  const service = await resolveService(deps, parsed.name, parsed.version);
  return {
    texts: service.features.map((f) => `${f.group}@${f.version}:${f.feature}`),
    field: 'body.featureService',
  };
};

/**
 * POST /training-sets: resolves the requested features to group versions (and their storage runs),
 * then runs the point-in-time join through the training-set engine (DuckDB locally, Athena in the cloud).
 */
export const createTrainingSetFromRequest = async (
  deps: FeaturesDeps,
  sets: TrainingSetDeps,
  request: TrainingSetRequest,
): Promise<TrainingSet> => {
  const { texts, field } = await referencesOf(deps, request);
  const { refs, versions, errors } = await resolveReferences(deps, texts, field);
  if (errors.length > 0) throw new ValidationError(errors);
  const features = refs.map((ref, i) => ({ group: versions[i]!, feature: ref.feature }));
  const distinct = [...new Map(versions.map((v) => [`${v.name}@${v.version}`, v])).values()];
  const storage = (await Promise.all(distinct.map((v) => storageRunOf(deps, v)))).flat();
  return createTrainingSet(sets, {
    features,
    entities: request.entities ?? { uri: request.entitiesUri! },
    storage,
  });
};
