/**
 * The plan of an online read: which stored group versions the requested features resolve to, where
 * each feature's value sits in its storage's rows, and the response text around each value, worked
 * out once per distinct feature list and reused while the definitions it rests on are current (the
 * definition cache answers by identity: a pinned version forever, "latest" for LATEST_CACHE_MS).
 * Resolving and validating 50 references cost about as much as reading a row; a repeated request
 * now skips both.
 */
import type { FieldError } from '../../shared/http/problem';
import {
  type FeatureReference,
  parseReference,
  parseServiceReference,
  REFERENCE_RULE,
  resolveGroupVersions,
  resolveService,
} from '../definitions/references';
import type { FeaturesDeps } from '../deps';
import { FeatureServiceNotFoundError } from '../errors';
import { rowLayoutOf, type StoredGroupVersion, type StoredServiceVersion } from '../records';

export interface ReadPlan {
  /** One group version per storage read for each entity (versions sharing a storage share keys). */
  readonly storages: readonly StoredGroupVersion[];
  /** Every entity key any storage needs, each once. */
  readonly entityKeys: readonly string[];
  /** Per storage, the index in `entityKeys` of each of its keys, in its key order. */
  readonly storageKeys: readonly (readonly number[])[];
  /** Per column: its storage, its value's index in the storage's rows, its reader's TTL in ms. */
  readonly storageOf: readonly number[];
  readonly slotOf: readonly number[];
  readonly ttlMsOf: readonly (number | undefined)[];
  /** Per column: `{"name":` (`,` for all but the first), and the same followed by `{"value":`. */
  readonly prefixes: readonly string[];
  readonly valuePrefixes: readonly string[];
  /** What the plan rests on: the versions of `references` (same order) and the service, if any. */
  readonly references: readonly { readonly group: string; readonly version?: number }[];
  readonly versions: readonly StoredGroupVersion[];
  readonly service?: {
    readonly name: string;
    readonly version?: number;
    readonly value: StoredServiceVersion;
  };
}

const MAX_PLANS = 1_000;

interface Requested {
  readonly refs: FeatureReference[];
  /** Names in the response, and the field each came from (for errors). */
  readonly names: string[];
  readonly fields: string[];
  readonly service?: ReadPlan['service'];
}

/** The references asked for: listed, or the service's pinned ones. */
const requested = async (
  deps: FeaturesDeps,
  request: {
    readonly features?: readonly string[] | undefined;
    readonly featureService?: string | undefined;
  },
  errors: FieldError[],
): Promise<Requested> => {
  const none: Requested = { refs: [], names: [], fields: [] };
  if (request.featureService !== undefined) {
    const field = 'body.featureService';
    const parsed = parseServiceReference(request.featureService);
    if (!parsed) {
      errors.push({ field, rule: 'feature_service_reference', message: 'must be name or name@version' });
      return none;
    }
    try {
      const value = await resolveService(deps, parsed.name, parsed.version);
      const refs = value.features.map((f) => ({
        text: f.reference,
        group: f.group,
        version: f.version,
        feature: f.feature,
      }));
      return {
        refs,
        names: refs.map((r) => r.text),
        fields: refs.map(() => field),
        service: { ...parsed, value },
      };
    } catch (error) {
      if (!(error instanceof FeatureServiceNotFoundError)) throw error;
      errors.push({ field, rule: 'unknown_feature_service', message: error.message });
      return none;
    }
  }
  const out: Requested = { refs: [], names: [], fields: [] };
  const seen = new Set<string>();
  (request.features ?? []).forEach((text, i) => {
    const field = `body.features.${i}`;
    const ref = parseReference(text);
    if (!ref) errors.push({ field, rule: 'feature_reference', message: REFERENCE_RULE });
    else if (seen.has(text)) errors.push({ field, rule: 'unique', message: `${text} is listed twice` });
    else {
      out.refs.push(ref);
      out.names.push(text);
      out.fields.push(field);
    }
    seen.add(text);
  });
  return out;
};

/** Builds the plan, or reports what is wrong with the request (in `errors`). */
const buildPlan = async (
  deps: FeaturesDeps,
  request: {
    readonly features?: readonly string[] | undefined;
    readonly featureService?: string | undefined;
  },
  errors: FieldError[],
): Promise<ReadPlan | undefined> => {
  const { refs, names, fields, service } = await requested(deps, request, errors);
  if (errors.length > 0) return undefined;
  const slotId = (r: { readonly group: string; readonly version?: number | undefined }) =>
    `${r.group}@${r.version ?? ''}`;
  const distinct = new Map<string, { group: string; version?: number }>();
  for (const r of refs)
    distinct.set(
      slotId(r),
      r.version === undefined ? { group: r.group } : { group: r.group, version: r.version },
    );
  const references = [...distinct.values()];
  const resolved = await resolveGroupVersions(deps, references);
  const versionOf = new Map(references.map((r, i) => [slotId(r), resolved[i]]));
  const storages: StoredGroupVersion[] = [];
  const storageIds = new Map<string, number>();
  const storageOf: number[] = [];
  const slotOf: number[] = [];
  const ttlMsOf: (number | undefined)[] = [];
  const columnNames: string[] = [];
  refs.forEach((ref, i) => {
    const group = versionOf.get(slotId(ref));
    const field = fields[i] as string;
    if (!group) {
      errors.push({
        field,
        rule: 'unknown_feature_group',
        message:
          ref.version === undefined
            ? `feature group ${ref.group} does not exist`
            : `feature group ${ref.group} has no version ${ref.version}`,
      });
      return;
    }
    if (!group.features.some((f) => f.name === ref.feature)) {
      errors.push({
        field,
        rule: 'unknown_feature',
        message: `version ${group.version} of feature group ${ref.group} has no feature ${ref.feature}`,
      });
      return;
    }
    const storageId = `${group.name}@${group.storageVersion}`;
    let storage = storageIds.get(storageId);
    if (storage === undefined) {
      storage = storages.push(group) - 1;
      storageIds.set(storageId, storage);
    }
    storageOf.push(storage);
    slotOf.push(rowLayoutOf(group).indexOf(ref.feature));
    ttlMsOf.push(group.ttlSeconds === undefined ? undefined : group.ttlSeconds * 1000);
    columnNames.push(names[i] as string);
  });
  if (errors.length > 0) return undefined;
  const entityKeys = [...new Set(storages.flatMap((g) => g.entityKeys))];
  const prefixes = columnNames.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  return {
    storages,
    entityKeys,
    storageKeys: storages.map((g) => g.entityKeys.map((key) => entityKeys.indexOf(key))),
    storageOf,
    slotOf,
    ttlMsOf,
    prefixes,
    valuePrefixes: prefixes.map((prefix) => `${prefix}{"value":`),
    references,
    versions: resolved as StoredGroupVersion[],
    ...(service === undefined ? {} : { service }),
  };
};

/** Whether every definition the plan rests on is still the one the cache answers with. */
const current = (deps: FeaturesDeps, plan: ReadPlan): boolean =>
  (plan.service === undefined ||
    deps.definitions.service(plan.service.name, plan.service.version) === plan.service.value) &&
  plan.references.every((r, i) => deps.definitions.group(r.group, r.version) === plan.versions[i]);

/**
 * The plan for a request's features (or service), reused while current; undefined with `errors` filled
 * when the request names what does not exist.
 */
export const readPlanOf = async (
  deps: FeaturesDeps,
  request: {
    readonly features?: readonly string[] | undefined;
    readonly featureService?: string | undefined;
  },
  errors: FieldError[],
): Promise<ReadPlan | undefined> => {
  const key =
    request.featureService === undefined
      ? JSON.stringify(request.features ?? [])
      : `@${request.featureService}`;
  const cached = deps.definitions.plan(key) as ReadPlan | undefined;
  if (cached && current(deps, cached)) return cached;
  const plan = await buildPlan(deps, request, errors);
  if (plan) deps.definitions.rememberPlan(key, plan, MAX_PLANS);
  return plan;
};
