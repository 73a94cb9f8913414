/**
 * Run search semantics in plain code: the predicate and the order every RunSearchIndex adapter must
 * reproduce. The scan adapter runs these; the SQLite adapter compiles the same query to SQL, and a
 * property test holds the two to identical results.
 */
import type { Comparison, OrderKey, RunField, RunRecord } from '../ports/run-search-index';

/** What a run holds for a field; undefined when it lacks it (no such metric, param or tag, no end time). */
export const fieldValue = (run: RunRecord, field: RunField): string | number | undefined => {
  switch (field.kind) {
    case 'metric':
      return own(run.metrics, field.key)?.value;
    case 'param':
      return own(run.params, field.key);
    case 'tag':
      return own(run.tags, field.key);
    case 'attribute':
      switch (field.key) {
        case 'run_id':
          return run.runId;
        case 'run_name':
          return run.name;
        case 'status':
          return run.status;
        case 'user_id':
          return run.userId;
        case 'start_time':
          return run.startTime;
        case 'end_time':
          return run.endTime;
      }
  }
};

const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * Compares strings by code point, which is the byte order of their UTF-8 encodings — the order SQLite's
 * BINARY collation and DynamoDB use. JavaScript's `<` compares UTF-16 code units, which puts U+1F600
 * before U+FF5E; only surrogates need the slow path.
 */
export const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if ((x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff)) {
      return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0) < 0 ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
};

const compareValues = (a: string | number, b: string | number): number => {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  return compareCodePoints(String(a), String(b));
};

/** Lower-cases ASCII letters only, as SQLite's lower() does without ICU. */
export const asciiLower = (text: string): string => text.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** A SQL LIKE pattern (`%` any run of characters, `_` one character, no escape) as a RegExp. */
export const likeToRegExp = (pattern: string): RegExp => {
  let source = '';
  for (const char of pattern) {
    if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
};

const comparisonTest = (comparison: Comparison): ((value: string | number) => boolean) => {
  switch (comparison.op) {
    case 'IN': {
      const set = new Set<string | number>(comparison.values);
      return (value) => set.has(value);
    }
    case 'NOT IN': {
      const set = new Set<string | number>(comparison.values);
      return (value) => !set.has(value);
    }
    case 'LIKE': {
      const pattern = likeToRegExp(comparison.value);
      return (value) => pattern.test(String(value));
    }
    case 'ILIKE': {
      const pattern = likeToRegExp(asciiLower(comparison.value));
      return (value) => pattern.test(asciiLower(String(value)));
    }
    default: {
      const { op, value: target } = comparison;
      // A string field compared to a number (or the reverse) never matches; the parser refuses it anyway.
      return (value) => {
        if (typeof value !== typeof target) return false;
        const c = compareValues(value, target);
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
        }
      };
    }
  }
};

/** The filter (a conjunction) as a predicate on runs; a run lacking a compared field does not match. */
export const compileRunPredicate = (filter: readonly Comparison[]): ((run: RunRecord) => boolean) => {
  const tests = filter.map((comparison) => ({ field: comparison.field, test: comparisonTest(comparison) }));
  return (run) =>
    tests.every(({ field, test }) => {
      const value = fieldValue(run, field);
      return value !== undefined && test(value);
    });
};

const sameField = (a: RunField, b: RunField): boolean => a.kind === b.kind && a.key === b.key;

const START_TIME: RunField = { kind: 'attribute', key: 'start_time' };
const RUN_ID: RunField = { kind: 'attribute', key: 'run_id' };

/**
 * The caller's order keys, then `start_time desc` and `run_id asc` unless already named (MLflow's
 * default order and tie-break). Run ids are unique, so the result orders runs totally — which both
 * adapters need for pages that neither repeat nor skip a run.
 */
export const totalOrder = (orderBy: readonly OrderKey[]): OrderKey[] => {
  const keys = [...orderBy];
  if (!keys.some((key) => sameField(key.field, START_TIME)))
    keys.push({ field: START_TIME, descending: true });
  if (!keys.some((key) => sameField(key.field, RUN_ID))) keys.push({ field: RUN_ID, descending: false });
  return keys;
};

/** Comparator for Array.prototype.sort: runs lacking a key come after those having it, either direction. */
export const compileRunComparator = (
  orderBy: readonly OrderKey[],
): ((a: RunRecord, b: RunRecord) => number) => {
  const keys = totalOrder(orderBy);
  return (a, b) => {
    for (const { field, descending } of keys) {
      const x = fieldValue(a, field);
      const y = fieldValue(b, field);
      if (x === undefined || y === undefined) {
        if (x === y) continue;
        return x === undefined ? 1 : -1;
      }
      const c = compareValues(x, y);
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  };
};
