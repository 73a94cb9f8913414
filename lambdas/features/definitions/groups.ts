import { ValidationError } from '../../shared/errors';
import type { FieldError } from '../../shared/http/problem';
import { apiPage } from '../../shared/page';
import type { Item } from '../../shared/ports/metadata-store';
import { json } from '../../shared/stored';
import { type FeaturesDeps, withOptimisticRetry } from '../deps';
import { BreakingChangeError, FeatureGroupNotFoundError } from '../errors';
import {
  emptySummary,
  mergeSummaries,
  type QualitySummary,
  type QualityView,
  viewOfSummary,
} from '../ingest/quality';
import {
  GROUP_SK,
  GROUPS_PK,
  groupIndexKey,
  groupKey,
  groupsPkOf,
  groupVersionKey,
  serviceKey,
  USED_BY_MODEL_PREFIX,
  USED_BY_PREFIX,
  VERSION_PREFIX,
} from '../keys';
import { EVENT_DATE, INGEST_BATCH, INGEST_ROW, INGESTED_AT } from '../offline/layout';
import {
  decodeGroupHead,
  decodeGroupVersion,
  decodeServiceHead,
  type GroupHead,
  rowLayoutOf,
  type StoredGroupVersion,
} from '../records';
import { type Difference, differences, normalizeDefinition, sameDefinition } from './compatibility';
import type { FeatureGroupBody } from './definitions';

/** Columns every offline file or table has besides the definition's: no definition may name one. */
const OFFLINE_COLUMNS = new Set([EVENT_DATE, INGESTED_AT, INGEST_BATCH, INGEST_ROW]);

/** Numbers the metadata store holds exactly (DynamoDB's marshaller refuses others). */
const storable = (n: number): boolean =>
  Math.abs(n) <= Number.MAX_SAFE_INTEGER && (n === 0 || Math.abs(n) >= 1e-130);

/** The rules zod cannot see alone: names that collide, rules that do not fit the type. */
export const definitionErrors = (body: FeatureGroupBody): FieldError[] => {
  const errors: FieldError[] = [];
  const add = (field: string, rule: string, message: string) =>
    errors.push({ field: `body.${field}`, rule, message });
  const keys = new Set<string>();
  body.entityKeys.forEach((key, i) => {
    if (keys.has(key)) add(`entityKeys.${i}`, 'unique', `entity key ${key} is listed twice`);
    keys.add(key);
  });
  if (keys.has(body.eventTimeField)) add('eventTimeField', 'distinct', 'must not be an entity key');
  const offlineName = (field: string, name: string) => {
    if (OFFLINE_COLUMNS.has(name.toLowerCase()))
      add(field, 'reserved', `${name} is a column the offline store adds (any case)`);
  };
  body.entityKeys.forEach((key, i) => {
    offlineName(`entityKeys.${i}`, key);
  });
  offlineName('eventTimeField', body.eventTimeField);
  const names = new Set<string>();
  body.features.forEach((spec, i) => {
    const at = `features.${i}`;
    if (names.has(spec.name)) add(`${at}.name`, 'unique', `feature ${spec.name} is listed twice`);
    names.add(spec.name);
    if (keys.has(spec.name) || spec.name === body.eventTimeField) {
      add(`${at}.name`, 'reserved', 'must differ from the entity keys and the event-time field');
    } else offlineName(`${at}.name`, spec.name);
    const numeric = spec.type === 'int' || spec.type === 'float';
    for (const bound of ['min', 'max'] as const) {
      const value = spec[bound];
      if (value === undefined) continue;
      if (!numeric) add(`${at}.${bound}`, 'numeric_only', `${bound} applies to int and float features only`);
      else if (!storable(value))
        add(`${at}.${bound}`, 'number_range', 'must be 0 or lie within ±1e-130 .. ±(2^53 - 1)');
    }
    if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
      add(`${at}.min`, 'min_max', 'must not exceed max');
    }
    spec.allowed?.forEach((value, j) => {
      const fits =
        (spec.type === 'string' && typeof value === 'string') ||
        (spec.type === 'bool' && typeof value === 'boolean') ||
        (spec.type === 'float' && typeof value === 'number' && storable(value)) ||
        (spec.type === 'int' && typeof value === 'number' && Number.isSafeInteger(value));
      if (!fits) add(`${at}.allowed.${j}`, 'type', `must be a value of the feature's type (${spec.type})`);
    });
  });
  return errors;
};

/**
 * Largest definition, in characters of JSON: DynamoDB items hold 400 KB, and the group's head item
 * holds a copy of its latest version beside the version item itself.
 */
export const MAX_DEFINITION_CHARS = 180_000;

export interface ApplyOutcome {
  /** False when the body equals the latest version: nothing was written. */
  readonly created: boolean;
  readonly version: StoredGroupVersion;
}

const breakingIssue = (d: Difference) => ({
  field: d.field,
  rule: 'breaking_change' as const,
  message: d.message,
});

/**
 * Creates a group, or its next version: an identical body changes nothing; an additive change makes
 * version n+1 on the same online storage; a breaking change is refused (409, each difference listed)
 * unless `breaking` is true, when it makes version n+1 with a storage of its own. The head moves under
 * its revision, so concurrent applies cannot both take the same number.
 */
export const applyGroup = async (
  deps: FeaturesDeps,
  body: FeatureGroupBody,
  actor: string,
): Promise<ApplyOutcome> => {
  const errors = definitionErrors(body);
  if (errors.length > 0) throw new ValidationError(errors);
  const definition = normalizeDefinition(body);
  if (JSON.stringify(definition).length > MAX_DEFINITION_CHARS) {
    throw new ValidationError([
      {
        field: 'body',
        rule: 'max_size',
        message: `the definition must stay below ${MAX_DEFINITION_CHARS} characters of JSON`,
      },
    ]);
  }
  const outcome = await withOptimisticRetry(deps.retry, async (): Promise<ApplyOutcome> => {
    const headItem = await deps.store.get(groupKey(body.name));
    const now = deps.clock.now().toISOString();
    if (!headItem) {
      const first: StoredGroupVersion = {
        ...definition,
        version: 1,
        storageVersion: 1,
        rowLayout: definition.features.map((feature) => feature.name),
        breaking: false,
        changes: [],
        createdAt: now,
        createdBy: actor,
      };
      const head: GroupHead = {
        name: body.name,
        latestVersion: 1,
        createdAt: now,
        updatedAt: now,
        latest: first,
      };
      await deps.store.transact([
        { kind: 'put', ...groupKey(body.name), data: json(head), condition: { rev: 0 } },
        { kind: 'put', ...groupVersionKey(body.name, 1), data: json(first), condition: { rev: 0 } },
        { kind: 'put', ...groupIndexKey(body.name), data: { name: body.name }, condition: { rev: 0 } },
      ]);
      return { created: true, version: first };
    }
    const head = decodeGroupHead(headItem);
    const latest = head.latest;
    if (sameDefinition(latest, definition)) return { created: false, version: latest };
    const diffs = differences(latest, definition);
    const breaking = diffs.filter((d) => d.breaking);
    if (breaking.length > 0 && body.breaking !== true)
      throw new BreakingChangeError(body.name, breaking.map(breakingIssue));
    const version = head.latestVersion + 1;
    const names = definition.features.map((feature) => feature.name);
    const layout = rowLayoutOf(latest);
    const next: StoredGroupVersion = {
      ...definition,
      version,
      storageVersion: breaking.length > 0 ? version : latest.storageVersion,
      // Additive versions keep every value where their storage's rows have it, and append new ones.
      rowLayout: breaking.length > 0 ? names : [...layout, ...names.filter((name) => !layout.includes(name))],
      breaking: breaking.length > 0,
      changes: diffs.map((d) => d.message),
      createdAt: now,
      createdBy: actor,
    };
    const moved: GroupHead = { ...head, latestVersion: version, updatedAt: now, latest: next };
    await deps.store.transact([
      { kind: 'put', ...groupKey(body.name), data: json(moved), condition: { rev: headItem.rev } },
      { kind: 'put', ...groupVersionKey(body.name, version), data: json(next), condition: { rev: 0 } },
    ]);
    return { created: true, version: next };
  });
  if (outcome.created) deps.definitions.forgetLatestGroup(body.name);
  return outcome;
};

/** A group version for writing to it: the latest when `version` is absent. */
export const loadGroupVersion = async (
  deps: FeaturesDeps,
  name: string,
  version?: number,
): Promise<StoredGroupVersion> => {
  if (version === undefined) {
    const head = await deps.store.get(groupKey(name));
    if (!head) throw new FeatureGroupNotFoundError(name);
    return decodeGroupHead(head).latest;
  }
  const [head, item] = await deps.store.batchGet([groupKey(name), groupVersionKey(name, version)]);
  if (!head) throw new FeatureGroupNotFoundError(name);
  if (!item) throw new FeatureGroupNotFoundError(name, version);
  return decodeGroupVersion(item);
};

export interface GroupView {
  readonly name: string;
  readonly latestVersion: number;
  readonly latest: StoredGroupVersion;
  readonly versions: StoredGroupVersion[];
  /** The newest event time ingested into any version. */
  readonly freshness: { readonly lastEventTime: string | null };
  /** Per version number. */
  readonly statistics: Record<string, QualityView>;
  readonly usedBy: { readonly featureServices: string[]; readonly models: string[] };
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The group with every version, statistics and users, from one partition (plus the services' heads). */
export const getGroup = async (deps: FeaturesDeps, name: string): Promise<GroupView> => {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(groupsPkOf(name), { limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor !== undefined);
  const headItem = items.find((item) => item.sk === GROUP_SK);
  if (!headItem) throw new FeatureGroupNotFoundError(name);
  const head = decodeGroupHead(headItem);
  const versions: StoredGroupVersion[] = [];
  const summaries = new Map<number, QualitySummary>();
  const services: { name: string; version: number }[] = [];
  const trainedModels: string[] = [];
  for (const item of items) {
    if (item.sk.startsWith(VERSION_PREFIX)) versions.push(decodeGroupVersion(item));
    else if (item.sk.startsWith('stats#')) {
      const version = Number(item.sk.split('#')[1]);
      const summary = JSON.parse(String(item.data.summary)) as QualitySummary;
      const known = summaries.get(version);
      summaries.set(version, known ? mergeSummaries(known, summary) : summary);
    } else if (item.sk.startsWith(USED_BY_MODEL_PREFIX)) {
      trainedModels.push(String(item.data.model));
    } else if (item.sk.startsWith(USED_BY_PREFIX)) {
      services.push({ name: String(item.data.service), version: Number(item.data.version) });
    }
  }
  const statistics: Record<string, QualityView> = {};
  let last: string | null = null;
  for (const version of versions) {
    const summary = summaries.get(version.version) ?? emptySummary(version.features.map((f) => f.name));
    const view = viewOfSummary(summary);
    statistics[String(version.version)] = view;
    if (view.lastEventTime !== null && (last === null || view.lastEventTime > last))
      last = view.lastEventTime;
  }
  const names = [...new Set(services.map((s) => s.name))];
  const heads = names.length === 0 ? [] : await deps.store.batchGet(names.map(serviceKey));
  // Models pinned through a service, and models the training pipeline trained on the group directly.
  const models = new Set<string>(trainedModels);
  for (const item of heads)
    for (const model of item === undefined ? [] : decodeServiceHead(item).usedBy) models.add(model);
  return {
    name,
    latestVersion: head.latestVersion,
    latest: head.latest,
    versions,
    freshness: { lastEventTime: last },
    statistics,
    usedBy: { featureServices: services.map((s) => `${s.name}@${s.version}`), models: [...models].sort() },
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
  };
};

/** Groups in name order: a page of the index, then one batch read of their heads. */
export const listGroups = async (
  deps: FeaturesDeps,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: StoredGroupVersion[]; nextToken?: string }> => {
  const index = await deps.store.query(GROUPS_PK, { limit: page.limit, cursor: page.cursor });
  const heads = await deps.store.batchGet(index.items.map((item) => groupKey(item.sk)));
  return apiPage({
    items: heads.flatMap((item) => (item ? [decodeGroupHead(item).latest] : [])),
    cursor: index.cursor,
  });
};
