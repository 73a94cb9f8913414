/**
 * Feature references (`group:feature` = the latest version, `group@2:feature` = pinned) and their
 * resolution to stored group versions through the definition cache: at most one store round trip for
 * whatever the cache lacks, none once it is warm.
 */
import type { FieldError } from '../../shared/http/problem';
import type { ItemKey } from '../../shared/ports/metadata-store';
import type { FeaturesDeps } from '../deps';
import { FeatureServiceNotFoundError } from '../errors';
import { groupKey, groupVersionKey, serviceKey, serviceVersionKey } from '../keys';
import {
  decodeGroupHead,
  decodeGroupVersion,
  decodeServiceHead,
  decodeServiceVersion,
  type StoredGroupVersion,
  type StoredServiceVersion,
} from '../records';

export interface FeatureReference {
  readonly text: string;
  readonly group: string;
  /** Absent: the latest version. */
  readonly version?: number;
  readonly feature: string;
}

const REFERENCE = /^([a-z][a-z0-9_]{0,62})(?:@([1-9][0-9]{0,9}))?:([A-Za-z_][A-Za-z0-9_]{0,63})$/;
export const REFERENCE_RULE = 'must be group:feature or group@version:feature';

export const parseReference = (text: string): FeatureReference | undefined => {
  const m = REFERENCE.exec(text);
  if (!m) return undefined;
  return {
    text,
    group: m[1] as string,
    ...(m[2] === undefined ? {} : { version: Number(m[2]) }),
    feature: m[3] as string,
  };
};

const SERVICE = /^([a-z][a-z0-9_]{0,62})(?:@([1-9][0-9]{0,9}))?$/;
export const parseServiceReference = (text: string): { name: string; version?: number } | undefined => {
  const m = SERVICE.exec(text);
  if (!m) return undefined;
  return { name: m[1] as string, ...(m[2] === undefined ? {} : { version: Number(m[2]) }) };
};

const slot = (group: string, version: number | undefined) => `${group}@${version ?? 'latest'}`;

/**
 * The group version of each reference (undefined when the group or version does not exist), reading
 * from the store only what the cache lacks, in one batch.
 */
export const resolveGroupVersions = async (
  deps: FeaturesDeps,
  references: readonly { readonly group: string; readonly version?: number }[],
): Promise<(StoredGroupVersion | undefined)[]> => {
  const found = new Map<string, StoredGroupVersion | undefined>();
  const misses = new Map<string, { group: string; version?: number; key: ItemKey }>();
  for (const ref of references) {
    const id = slot(ref.group, ref.version);
    if (found.has(id) || misses.has(id)) continue;
    const cached = deps.definitions.group(ref.group, ref.version);
    if (cached) found.set(id, cached);
    else {
      const key = ref.version === undefined ? groupKey(ref.group) : groupVersionKey(ref.group, ref.version);
      misses.set(id, {
        group: ref.group,
        ...(ref.version === undefined ? {} : { version: ref.version }),
        key,
      });
    }
  }
  if (misses.size > 0) {
    const wanted = [...misses.entries()];
    const items = await deps.store.batchGet(wanted.map(([, miss]) => miss.key));
    wanted.forEach(([id, miss], i) => {
      const item = items[i];
      if (!item) {
        found.set(id, undefined);
        return;
      }
      const version = miss.version === undefined ? decodeGroupHead(item).latest : decodeGroupVersion(item);
      deps.definitions.rememberGroup(version, miss.version === undefined);
      found.set(id, version);
    });
  }
  return references.map((ref) => found.get(slot(ref.group, ref.version)));
};

/** Resolves references for a write path (a service definition): each error names `field.N`. */
export const resolveReferences = async (
  deps: FeaturesDeps,
  texts: readonly string[],
  field: string,
): Promise<{ refs: FeatureReference[]; versions: StoredGroupVersion[]; errors: FieldError[] }> => {
  const errors: FieldError[] = [];
  const refs: FeatureReference[] = [];
  const seen = new Set<string>();
  texts.forEach((text, i) => {
    const ref = parseReference(text);
    if (!ref) errors.push({ field: `${field}.${i}`, rule: 'feature_reference', message: REFERENCE_RULE });
    else if (seen.has(text))
      errors.push({ field: `${field}.${i}`, rule: 'unique', message: `${text} is listed twice` });
    else refs.push(ref);
    seen.add(text);
  });
  if (errors.length > 0) return { refs, versions: [], errors };
  const versions = await resolveGroupVersions(deps, refs);
  const resolved: StoredGroupVersion[] = [];
  refs.forEach((ref, i) => {
    const version = versions[i];
    const index = texts.indexOf(ref.text);
    if (!version) {
      errors.push({
        field: `${field}.${index}`,
        rule: 'unknown_feature_group',
        message:
          ref.version === undefined
            ? `feature group ${ref.group} does not exist`
            : `feature group ${ref.group} has no version ${ref.version}`,
      });
    } else if (!version.features.some((f) => f.name === ref.feature)) {
      errors.push({
        field: `${field}.${index}`,
        rule: 'unknown_feature',
        message: `version ${version.version} of feature group ${ref.group} has no feature ${ref.feature}`,
      });
    } else resolved.push(version);
  });
  return { refs, versions: resolved, errors };
};

/** A service version (latest when `version` is absent), through the cache. */
export const resolveService = async (
  deps: FeaturesDeps,
  name: string,
  version: number | undefined,
): Promise<StoredServiceVersion> => {
  const cached = deps.definitions.service(name, version);
  if (cached) return cached;
  const item = await deps.store.get(
    version === undefined ? serviceKey(name) : serviceVersionKey(name, version),
  );
  if (!item) throw new FeatureServiceNotFoundError(name, version);
  const resolved = version === undefined ? decodeServiceHead(item).latest : decodeServiceVersion(item);
  deps.definitions.rememberService(resolved, version === undefined);
  return resolved;
};
