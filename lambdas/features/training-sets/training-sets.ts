/**
 * Training sets: a point-in-time correct join of entity rows with feature group versions, written to
 * the object store as Parquet (`training-sets/<id>/data.parquet`) beside its manifest.
 *
 * `sha256` is over the canonical row content, not the Parquet bytes (which carry writer metadata):
 * the UTF-8 NDJSON of the rows in order, one line per row ending in '\n', each line a JSON object with
 * the columns in schema order (ints as plain digits, nulls as null). It is exactly the body that
 * `GET /training-sets/{id}/rows` streams, so a client can check it; the same request over the same
 * offline data gives the same sha256.
 */
import { createHash } from 'node:crypto';
import { NotFoundError, ValidationError } from '../../shared/errors';
import type { Clock } from '../../shared/ports/clock';
import type { FeatureGroupVersion, FeatureType } from '../../shared/ports/feature-group-version';
import type { ObjectStore } from '../../shared/ports/object-store';
import type { TrainingSetCell, TrainingSetEngine } from '../../shared/ports/training-set-engine';
import { trainingColumnOf } from '../definitions/definitions';
import type { OfflineColumn } from '../offline/layout';
import { keyTextOf } from '../offline/layout';
import { decodeParquet, encodeParquet, encodeParquetColumns } from '../offline/parquet';
import { ENTITY_ROW, ENTITY_TIME, entityColumn, entityKeyColumn } from '../offline/point-in-time.sql';
import { type EntityColumnType, entityTableOf, parseCsv, parseJsonLines } from './training-sets-entities';

export interface TrainingSetDeps {
  readonly objects: ObjectStore;
  readonly engine: TrainingSetEngine;
  readonly clock: Clock;
  /** Training set ids: ULIDs (sortableIdGenerator). */
  readonly newId: () => string;
}

/** One requested feature, its group already resolved to a version by the caller. */
export interface RequestedFeature {
  readonly group: FeatureGroupVersion;
  readonly feature: string;
}

export interface CreateTrainingSetInput {
  readonly features: readonly RequestedFeature[];
  /** Entity rows, or the URI (as the object store names it) of a .jsonl/.ndjson or .csv object. */
  readonly entities: readonly unknown[] | { readonly uri: string };
  /**
   * Other versions of the requested groups' storage runs (additive versions share one, and ingestion
   * writes under the latest): their records count too, so a training set on a pinned version sees
   * what was ingested after the group moved on. Versions of groups not requested are ignored.
   */
  readonly storage?: readonly FeatureGroupVersion[];
}

export type ColumnType = EntityColumnType | FeatureType;

export interface TrainingSet {
  readonly id: string;
  readonly sha256: string;
  readonly rowCount: number;
  readonly schema: readonly { readonly name: string; readonly type: ColumnType }[];
  readonly uri: string;
  /** The group versions it read, for lineage. */
  readonly featureGroups: readonly { readonly name: string; readonly version: number }[];
  /** The requested features as `group:feature`, in column order. */
  readonly features: readonly string[];
  readonly createdAt: string;
}

const PREFIX = 'training-sets/';
const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const trainingSetKeys = (id: string) => ({
  data: `${PREFIX}${id}/data.parquet`,
  // Alone in its folder: Athena reads a table from a folder, not a file.
  entities: `${PREFIX}${id}/entities/entities.parquet`,
  manifest: `${PREFIX}${id}/manifest.json`,
});

const PARQUET = 'application/vnd.apache.parquet';

/** One canonical NDJSON line (see the module comment). */
export const canonicalLine = (
  columns: readonly { readonly name: string }[],
  row: readonly unknown[],
): string => {
  const fields = columns.map((column, i) => {
    const value = row[i];
    let json: string;
    if (value === null || value === undefined) json = 'null';
    else if (typeof value === 'bigint') json = value.toString();
    else if (typeof value === 'number') json = Number.isFinite(value) ? JSON.stringify(value) : 'null';
    else if (value instanceof Date) json = JSON.stringify(value.toISOString());
    else json = JSON.stringify(value);
    return `${JSON.stringify(column.name)}:${json}`;
  });
  return `{${fields.join(',')}}\n`;
};

/**
 * The key of the object a URI names, if the store names it so: tries each tail of the URI's path,
 * as written and with the file store's escaping undone, and keeps the one whose uriOf is the URI.
 */
export const objectKeyOfUri = (objects: ObjectStore, uri: string): string | undefined => {
  let segments: string[];
  try {
    const url = new URL(uri);
    segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  for (let start = 0; start < segments.length; start++) {
    const tail = segments.slice(start);
    const unescaped = tail.map((s, i) =>
      (i < tail.length - 1 ? s.replace(/%$/, '') : s).replaceAll('%25', '%'),
    );
    for (const candidate of [tail.join('/'), unescaped.join('/')]) {
      try {
        if (objects.uriOf(candidate) === uri) return candidate;
      } catch {
        // not a valid key: try the next tail
      }
    }
  }
  return undefined;
};

/** The entity rows of a .jsonl/.ndjson or .csv object the store names by URI; a ValidationError otherwise. */
export const loadEntities = async (objects: ObjectStore, uri: string): Promise<unknown[]> => {
  const field = 'body.entitiesUri';
  const key = objectKeyOfUri(objects, uri);
  const object = key === undefined ? undefined : await objects.get(key);
  if (key === undefined || object === undefined) {
    throw new ValidationError([
      { field, rule: 'not_found', message: 'names no object in the platform store' },
    ]);
  }
  const text = new TextDecoder().decode(object.body);
  if (/\.(jsonl|ndjson)$/i.test(key)) return parseJsonLines(text, field);
  if (/\.csv$/i.test(key)) return parseCsv(text, field);
  throw new ValidationError([
    { field, rule: 'invalid_format', message: 'must end in .jsonl, .ndjson or .csv' },
  ]);
};

/** The earliest and latest of the entity rows' times (a loop: spreading 100k rows would overflow the stack). */
const timeRangeOf = (times: readonly number[]): { earliestMs: number; latestMs: number } => {
  let earliestMs = Number.POSITIVE_INFINITY;
  let latestMs = Number.NEGATIVE_INFINITY;
  for (const time of times) {
    if (time < earliestMs) earliestMs = time;
    if (time > latestMs) latestMs = time;
  }
  return { earliestMs, latestMs };
};

/** Runs the point-in-time join and stores the result; returns what GET /training-sets/{id} shows. */
export const createTrainingSet = async (
  deps: TrainingSetDeps,
  input: CreateTrainingSetInput,
): Promise<TrainingSet> => {
  if (input.features.length === 0) {
    throw new ValidationError([
      { field: 'body.features', rule: 'too_small', message: 'needs at least one feature' },
    ]);
  }
  const rawRows = Array.isArray(input.entities)
    ? (input.entities as readonly unknown[])
    : await loadEntities(deps.objects, (input.entities as { uri: string }).uri);
  const table = entityTableOf(rawRows);

  // Each group version once, in order of first request; features in request order.
  const groups: FeatureGroupVersion[] = [];
  const features = input.features.map(({ group, feature }, index) => {
    const spec = group.features.find((f) => f.name === feature);
    if (!spec) {
      throw new ValidationError([
        {
          field: `body.features[${index}]`,
          rule: 'unknown_feature',
          message: `${group.name} v${group.version} has no feature ${feature}`,
        },
      ]);
    }
    let at = groups.findIndex((g) => g.name === group.name && g.version === group.version);
    if (at < 0) at = groups.push(group) - 1;
    return { group: at, feature, name: trainingColumnOf(group.name, feature), type: spec.type };
  });
  const schema: { name: string; type: ColumnType }[] = [
    ...table.columns,
    ...features.map(({ name, type }) => ({ name, type })),
  ];
  const seen = new Map<string, string>();
  for (const column of schema) {
    const other = seen.get(column.name.toLowerCase());
    if (other !== undefined) {
      throw new ValidationError([
        {
          field: 'body.features',
          rule: 'duplicate_column',
          message: `column ${column.name} collides with ${other}`,
        },
      ]);
    }
    seen.set(column.name.toLowerCase(), column.name);
  }
  const sources = groups.map((group) => [
    group,
    ...(input.storage ?? []).filter((other) => {
      if (other.name !== group.name || other.version === group.version) return false;
      const sameShape =
        other.eventTimeField === group.eventTimeField &&
        other.entityKeys.join(',') === group.entityKeys.join(',') &&
        group.features.every((f) => other.features.every((o) => o.name !== f.name || o.type === f.type));
      if (!sameShape)
        throw new Error(`${group.name} v${other.version} does not share storage with v${group.version}`);
      return true;
    }),
  ]);
  const keyNames = [...new Set(groups.flatMap((group) => group.entityKeys))];
  const missing = keyNames.filter((key) => !table.columns.some((column) => column.name === key));
  if (missing.length > 0) {
    throw new ValidationError(
      missing.map((key) => ({
        field: 'body.entities',
        rule: 'missing_entity_key',
        message: `no row has the entity key ${key}`,
      })),
    );
  }

  const id = deps.newId();
  const keys = trainingSetKeys(id);
  const ownColumns = table.columns.map((column, i) => ({ name: entityColumn(i), type: column.type }));
  const entityColumns: OfflineColumn[] = [
    ...ownColumns,
    { name: ENTITY_ROW, type: 'int' },
    { name: ENTITY_TIME, type: 'timestamp' },
    ...keyNames.map((_, j) => ({ name: entityKeyColumn(j), type: 'string' as const })),
  ];
  const entityRows = table.rows.map((row, index) => ({
    ...Object.fromEntries(table.columns.map((column, i) => [entityColumn(i), row[column.name]])),
    [ENTITY_ROW]: index,
    [ENTITY_TIME]: table.times[index],
    ...Object.fromEntries(keyNames.map((key, j) => [entityKeyColumn(j), keyTextOf(row[key])])),
  }));
  await deps.objects.put(keys.entities, encodeParquet(entityColumns, entityRows), { contentType: PARQUET });

  const rows = await deps.engine.pointInTime({
    entitiesKey: keys.entities,
    entityColumns: ownColumns,
    keyNames,
    groups,
    ...(input.storage === undefined ? {} : { sources }),
    features: features.map(({ group, feature }) => ({ group, feature })),
    ...(table.times.length === 0 ? {} : { entityTimes: timeRangeOf(table.times) }),
  });

  const hash = createHash('sha256');
  for (const row of rows) hash.update(canonicalLine(schema, row));
  const data = encodeParquetColumns(
    schema,
    schema.map((_, c) => rows.map((row) => row[c] ?? null)),
  );
  await deps.objects.put(keys.data, data, { contentType: PARQUET });
  const trainingSet: TrainingSet = {
    id,
    sha256: hash.digest('hex'),
    rowCount: rows.length,
    schema,
    uri: deps.objects.uriOf(keys.data),
    featureGroups: groups.map((group) => ({ name: group.name, version: group.version })),
    features: input.features.map(({ group, feature }) => `${group.name}:${feature}`),
    createdAt: deps.clock.now().toISOString(),
  };
  // The manifest goes last: a training set exists once its manifest does.
  await deps.objects.put(keys.manifest, JSON.stringify(trainingSet), { contentType: 'application/json' });
  return trainingSet;
};

/** The manifest of a training set; NotFoundError when there is none. */
export const getTrainingSet = async (
  deps: Pick<TrainingSetDeps, 'objects'>,
  id: string,
): Promise<TrainingSet> => {
  const object = ID.test(id) ? await deps.objects.get(trainingSetKeys(id).manifest) : undefined;
  if (!object) throw new NotFoundError(`training set ${id} not found`);
  return JSON.parse(new TextDecoder().decode(object.body)) as TrainingSet;
};

/** The rows of a training set as canonical NDJSON lines (application/x-ndjson); their SHA-256 is `sha256`. */
export async function* trainingSetRows(
  deps: Pick<TrainingSetDeps, 'objects'>,
  id: string,
): AsyncGenerator<string> {
  const trainingSet = await getTrainingSet(deps, id);
  const object = await deps.objects.get(trainingSetKeys(id).data);
  if (!object) throw new NotFoundError(`training set ${id} has no data`);
  const cells: TrainingSetCell[][] = (await decodeParquet(object.body)).map((row) =>
    trainingSet.schema.map((column) => (row[column.name] ?? null) as TrainingSetCell),
  );
  for (const row of cells) yield canonicalLine(trainingSet.schema, row);
}
