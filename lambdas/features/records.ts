/**
 * Validation of ingested records against one feature group version: every problem of a record is
 * reported (field and reason), so that a quarantined record says all that is wrong with it at once.
 */
import type { FeatureGroupVersion, FeatureSpec } from './definitions';
import { entityIdOf } from './keys';

export type FeatureValue = string | number | boolean | null;

export interface RecordIssue {
  /** The record's field at fault, or `record` for the record as a whole. */
  readonly field: string;
  readonly reason: string;
}

export interface ValidRecord {
  /** The entity's key values as strings, in the group's entity-key order, joined unambiguously. */
  readonly entityId: string;
  readonly eventMs: number;
  /** The event time in UTC, `toISOString()` form. */
  readonly eventTime: string;
  /** Feature values in the order of the version's features. */
  readonly values: readonly FeatureValue[];
  /** `{feature: value}` in feature order, as JSON: what the online row holds, and the tie-breaker. */
  readonly valuesJson: string;
  /** The record as the offline store receives it. */
  readonly offline: Record<string, unknown>;
}

export type RecordCheck =
  | { readonly ok: true; readonly record: ValidRecord }
  | { readonly ok: false; readonly issues: readonly RecordIssue[] };

/** How far ahead of the clock an event time may lie: a future event would win over every real one. */
export const MAX_FUTURE_MS = 5 * 60_000;
/** Largest online row, in characters of JSON: DynamoDB items hold at most 400 KB. */
export const MAX_VALUES_CHARS = 300_000;
const MAX_KEY_CHARS = 256;

/** An entity key value as the online store keys it (strings and integers; 42 and "42" are one entity). */
export const entityKeyValue = (value: unknown): string | undefined => {
  if (typeof value === 'string') {
    return value.length > 0 && value.length <= MAX_KEY_CHARS && Buffer.byteLength(value) <= MAX_KEY_CHARS
      ? value
      : undefined;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
};
export const ENTITY_KEY_RULE = `must be a non-empty string of at most ${MAX_KEY_CHARS} bytes, or a safe integer`;

/** Longest entity id (the key values as JSON) in bytes: its online row's partition key must stay ≤ 2048. */
export const MAX_ENTITY_ID_BYTES = 1_900;
export const ENTITY_ID_RULE = `the entity's key values take more than ${MAX_ENTITY_ID_BYTES} bytes together`;

/** Whether an entity id fits in a partition key (cheap for the usual short ids). */
export const entityIdFits = (entityId: string): boolean =>
  entityId.length * 3 <= MAX_ENTITY_ID_BYTES || Buffer.byteLength(entityId) <= MAX_ENTITY_ID_BYTES;

/** A record's own member (never one inherited from Object.prototype, e.g. for a feature named constructor). */
export const own = (record: Readonly<Record<string, unknown>>, key: string): unknown =>
  Object.hasOwn(record, key) ? record[key] : undefined;

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an ISO-8601 date-time with an offset (Z or ±hh:mm), or undefined if it is not one. */
export const parseIsoDateTime = (text: string): number | undefined => {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const zone = m[8] as string;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(4, 6));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime() - offsetMinutes * 60_000;
};

const typeProblem = (spec: FeatureSpec, value: unknown): string | undefined => {
  switch (spec.type) {
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number';
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : 'must be a safe integer';
    case 'string':
      return typeof value === 'string' ? undefined : 'must be a string';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
  }
};

const ruleProblem = (spec: FeatureSpec, value: string | number | boolean): string | undefined => {
  if (typeof value === 'number') {
    if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}`;
    if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}`;
  }
  if (spec.allowed !== undefined && !spec.allowed.includes(value)) {
    return `must be one of ${JSON.stringify(spec.allowed)}`;
  }
  return undefined;
};

/** JSON text of a feature value (finite numbers print as JSON does). */
const jsonOf = (value: FeatureValue): string =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

/**
 * A checker of records for one group version; `nowMs` bounds event times in the future. Built for
 * ingestion rates of tens of thousands of records a second: the online row's JSON is concatenated
 * from pre-quoted keys, and the offline record is a shallow copy of the input (fast for parsed JSON)
 * rather than an object grown one property at a time.
 */
export const recordValidator = (
  group: FeatureGroupVersion,
  nowMs: number,
): ((raw: unknown) => RecordCheck) => {
  const known = new Set<string>([
    ...group.entityKeys,
    group.eventTimeField,
    ...group.features.map((f) => f.name),
  ]);
  const features = group.features;
  const quotedKeys = features.map((f, i) => `${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`);
  const timeField = group.eventTimeField;
  const entityKeys = group.entityKeys;
  return (raw) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return { ok: false, issues: [{ field: 'record', reason: 'must be a JSON object' }] };
    }
    const input = raw as Record<string, unknown>;
    let issues: RecordIssue[] | undefined;
    const fail = (field: string, reason: string) => {
      if (issues === undefined) issues = [];
      issues.push({ field, reason });
    };
    const keyValues: string[] = [];
    for (const key of entityKeys) {
      const value = own(input, key);
      const canonical = entityKeyValue(value);
      if (canonical === undefined) fail(key, value === undefined ? 'entity key is missing' : ENTITY_KEY_RULE);
      else keyValues.push(canonical);
    }
    const time = own(input, timeField);
    let eventMs = Number.NaN;
    if (typeof time !== 'string') {
      fail(timeField, time === undefined ? 'event time is missing' : 'must be an ISO-8601 date-time string');
    } else {
      eventMs = parseIsoDateTime(time) ?? Number.NaN;
      if (Number.isNaN(eventMs))
        fail(timeField, 'must be an ISO-8601 date-time with an offset (Z or ±hh:mm)');
      else if (eventMs > nowMs + MAX_FUTURE_MS) fail(timeField, 'lies more than 5 minutes in the future');
    }
    const values: FeatureValue[] = new Array(features.length);
    let valuesJson = '';
    let absent = false;
    for (let i = 0; i < features.length; i++) {
      const spec = features[i] as FeatureSpec;
      const value = own(input, spec.name);
      if (value === undefined || value === null) {
        if (!spec.nullable) fail(spec.name, 'is required (the feature is not nullable)');
        if (value === undefined) absent = true;
        values[i] = null;
        valuesJson += `${quotedKeys[i]}null`;
        continue;
      }
      const problem = typeProblem(spec, value) ?? ruleProblem(spec, value as string | number | boolean);
      if (problem !== undefined) fail(spec.name, problem);
      values[i] = value as FeatureValue;
      valuesJson += (quotedKeys[i] as string) + jsonOf(value as FeatureValue);
    }
    for (const field in input) if (!known.has(field)) fail(field, 'unknown field');
    if (issues !== undefined) return { ok: false, issues };
    valuesJson += '}';
    if (valuesJson.length > MAX_VALUES_CHARS) {
      return {
        ok: false,
        issues: [{ field: 'record', reason: `feature values exceed ${MAX_VALUES_CHARS} characters of JSON` }],
      };
    }
    const entityId = entityIdOf(keyValues);
    if (!entityIdFits(entityId)) return { ok: false, issues: [{ field: 'record', reason: ENTITY_ID_RULE }] };
    const eventTime = new Date(eventMs).toISOString();
    const offline: Record<string, unknown> = { ...input };
    offline[timeField] = eventTime;
    if (absent)
      for (const spec of features) if (own(offline, spec.name) === undefined) offline[spec.name] = null;
    return {
      ok: true,
      record: { entityId, eventMs, eventTime, values, valuesJson, offline },
    };
  };
};
