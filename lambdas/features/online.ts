/**
 * Online reads: the features of many entities in one store round trip (one batch read of every
 * (entity, storage) row; the DynamoDB adapter sends BatchGetItem, 100 keys a request, in parallel),
 * with each value's status judged at read time: EXPIRED when the event is older than the reading
 * version's TTL — never PRESENT — and MISSING when no row (or no value for that feature) exists.
 */
import { ValidationError } from '../shared/errors';
import type { FieldError } from '../shared/http/problem';
import type { ItemKey } from '../shared/ports/metadata-store';
import type { FeaturesDeps } from './deps';
import { FeatureServiceNotFoundError } from './errors';
import { entityIdOf, onlineKey } from './keys';
import {
  ENTITY_ID_RULE,
  ENTITY_KEY_RULE,
  entityIdFits,
  entityKeyValue,
  type FeatureValue,
  own,
} from './records';
import {
  type FeatureReference,
  parseReference,
  parseServiceReference,
  REFERENCE_RULE,
  resolveGroupVersions,
  resolveService,
} from './references';
import type { OnlineRow, StoredGroupVersion } from './stored';

export type FeatureStatus = 'PRESENT' | 'MISSING' | 'EXPIRED';

export interface FeatureReading {
  readonly value: FeatureValue;
  readonly status: FeatureStatus;
  readonly eventTime: string | null;
}

export interface OnlineResult {
  readonly entity: Readonly<Record<string, unknown>>;
  readonly features: Record<string, FeatureReading>;
}

export interface OnlineRequest {
  readonly features?: readonly string[] | undefined;
  readonly featureService?: string | undefined;
  readonly entities: readonly Readonly<Record<string, unknown>>[];
}

interface Column {
  /** The name in the response: the reference as the caller (or the service) wrote it. */
  readonly name: string;
  readonly group: StoredGroupVersion;
  readonly feature: string;
  /** Index into the storages read for each entity. */
  readonly storage: number;
}

/** The columns to read: from the references given, or from the service's pinned references. */
const columnsOf = async (deps: FeaturesDeps, request: OnlineRequest, errors: FieldError[]) => {
  let refs: FeatureReference[] = [];
  let names: string[] = [];
  let field = 'body.features';
  if (request.featureService !== undefined) {
    field = 'body.featureService';
    const parsed = parseServiceReference(request.featureService);
    if (!parsed) {
      errors.push({ field, rule: 'feature_service_reference', message: 'must be name or name@version' });
      return [];
    }
    try {
      const service = await resolveService(deps, parsed.name, parsed.version);
      refs = service.features.map((f) => ({
        text: f.reference,
        group: f.group,
        version: f.version,
        feature: f.feature,
      }));
      names = service.features.map((f) => f.reference);
    } catch (error) {
      if (!(error instanceof FeatureServiceNotFoundError)) throw error;
      errors.push({ field, rule: 'unknown_feature_service', message: error.message });
      return [];
    }
  } else {
    const seen = new Set<string>();
    (request.features ?? []).forEach((text, i) => {
      const ref = parseReference(text);
      if (!ref) errors.push({ field: `${field}.${i}`, rule: 'feature_reference', message: REFERENCE_RULE });
      else if (seen.has(text))
        errors.push({ field: `${field}.${i}`, rule: 'unique', message: `${text} is listed twice` });
      else {
        refs.push(ref);
        names.push(text);
      }
      seen.add(text);
    });
    if (errors.length > 0) return [];
  }
  const versions = await resolveGroupVersions(deps, refs);
  const storages = new Map<string, number>();
  const columns: Column[] = [];
  refs.forEach((ref, i) => {
    const group = versions[i];
    const at =
      request.featureService === undefined ? `${field}.${(request.features ?? []).indexOf(ref.text)}` : field;
    if (!group) {
      errors.push({
        field: at,
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
        field: at,
        rule: 'unknown_feature',
        message: `version ${group.version} of feature group ${ref.group} has no feature ${ref.feature}`,
      });
      return;
    }
    const storageId = `${group.name}@${group.storageVersion}`;
    let storage = storages.get(storageId);
    if (storage === undefined) {
      storage = storages.size;
      storages.set(storageId, storage);
    }
    columns.push({ name: names[i] as string, group, feature: ref.feature, storage });
  });
  return columns;
};

const MISSING_JSON = '{"value":null,"status":"MISSING","eventTime":null}';

/**
 * The raw JSON text of member `needle` (`"name":`) of a flat JSON object, searched from `from` first
 * (members requested in stored order are found in one pass), or undefined. A needle cannot match
 * inside a string value: there every quote is escaped, so `x":` never appears.
 */
export const memberValue = (
  text: string,
  needle: string,
  from: number,
): { value: string; end: number } | undefined => {
  let at = text.indexOf(needle, from);
  if (at < 0 && from > 1) at = text.indexOf(needle, 1);
  if (at < 0) return undefined;
  const start = at + needle.length;
  const n = text.length;
  let j = start;
  if (text.charCodeAt(j) === 34) {
    j++;
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === 92) j += 2;
      else if (d === 34) break;
      else j++;
    }
    j++;
  } else {
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === 44 || d === 125) break;
      j++;
    }
  }
  return { value: text.slice(start, j), end: j };
};

/**
 * Reads features for entities, answering with the response's JSON text (results in the order of
 * `entities`). The text is built directly: for 100 entities × 50 features, building 5,000 objects and
 * stringifying them took longer than reading the rows.
 */
export const readOnlineJson = async (deps: FeaturesDeps, request: OnlineRequest): Promise<string> => {
  const errors: FieldError[] = [];
  const columns = await columnsOf(deps, request, errors);
  if (errors.length > 0) throw new ValidationError(errors);
  // One group version per storage, for its name and entity keys (versions sharing a storage share keys).
  const storageGroups: StoredGroupVersion[] = [];
  for (const column of columns) storageGroups[column.storage] ??= column.group;
  const entityKeys = [...new Set(storageGroups.flatMap((g) => g.entityKeys))];
  const entities = request.entities;
  const keys: ItemKey[] = [];
  entities.forEach((entity, n) => {
    const canonical = new Map<string, string>();
    for (const key of entityKeys) {
      const raw = own(entity, key);
      const value = entityKeyValue(raw);
      if (value === undefined) {
        errors.push({
          field: `body.entities.${n}.${key}`,
          rule: raw === undefined ? 'entity_key_missing' : 'entity_key',
          message: raw === undefined ? `entity key ${key} is missing` : ENTITY_KEY_RULE,
        });
      } else canonical.set(key, value);
    }
    if (errors.length > 0) return;
    for (const group of storageGroups) {
      const entityId = entityIdOf(group.entityKeys.map((k) => canonical.get(k) as string));
      if (!entityIdFits(entityId)) {
        errors.push({ field: `body.entities.${n}`, rule: 'entity_key', message: ENTITY_ID_RULE });
        return;
      }
      keys.push(onlineKey(group.name, group.storageVersion, entityId));
    }
  });
  if (errors.length > 0) throw new ValidationError(errors);
  const items = keys.length === 0 ? [] : await deps.store.batchGet(keys);
  const nowMs = deps.clock.now().getTime();
  const perEntity = storageGroups.length;
  const names = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const namesValue = names.map((name) => `${name}{"value":`);
  const needles = columns.map((c) => `${JSON.stringify(c.feature)}:`);
  const ttlMs = columns.map((c) =>
    c.group.ttlSeconds === undefined ? undefined : c.group.ttlSeconds * 1000,
  );
  const rows: (OnlineRow | undefined)[] = new Array(perEntity);
  const cursors: number[] = new Array(perEntity).fill(1);
  const present: string[] = new Array(perEntity);
  const expired: string[] = new Array(perEntity);
  let out = '{"results":[';
  for (let n = 0; n < entities.length; n++) {
    for (let s = 0; s < perEntity; s++) {
      const row = items[n * perEntity + s]?.data as unknown as OnlineRow | undefined;
      rows[s] = row;
      cursors[s] = 1;
      if (row) {
        const time = JSON.stringify(row.eventTime);
        present[s] = `,"status":"PRESENT","eventTime":${time}}`;
        expired[s] = `{"value":null,"status":"EXPIRED","eventTime":${time}}`;
      }
    }
    out += `${n === 0 ? '' : ','}{"entity":${JSON.stringify(entities[n])},"features":`;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as Column;
      const storage = column.storage;
      const row = rows[storage];
      const found =
        row === undefined
          ? undefined
          : memberValue(row.values, needles[c] as string, cursors[storage] as number);
      if (row === undefined || found === undefined) out += (names[c] as string) + MISSING_JSON;
      else {
        cursors[storage] = found.end;
        const ttl = ttlMs[c];
        out +=
          ttl !== undefined && nowMs - row.eventMs > ttl
            ? (names[c] as string) + expired[storage]
            : (namesValue[c] as string) + found.value + present[storage];
      }
    }
    out += columns.length === 0 ? '{}}' : '}}';
  }
  return `${out}]}`;
};

/** Reads features for entities; results follow the order of `entities`. */
export const readOnline = async (
  deps: FeaturesDeps,
  request: OnlineRequest,
): Promise<{ results: OnlineResult[] }> =>
  JSON.parse(await readOnlineJson(deps, request)) as { results: OnlineResult[] };
