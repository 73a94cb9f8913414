/**
 * Entity rows of a training set: as a JSON array in the request, or a JSONL / CSV object in the object
 * store. Each row names the entity (the groups' entity keys), the instant to look back from
 * (`eventTime`, ISO-8601 with a zone) and any other column (labels, ids), all carried into the
 * training set unchanged. Columns are typed once for the whole set, so that they fit a Parquet schema.
 */
import { ValidationError } from '../../shared/errors';
import { RESERVED_PREFIX } from '../offline/point-in-time.sql';

export const EVENT_TIME_COLUMN = 'eventTime';

export type EntityColumnType = 'string' | 'int' | 'float' | 'bool';
export type EntityValue = string | number | boolean | null;

export interface EntityColumn {
  readonly name: string;
  readonly type: EntityColumnType;
}

export interface EntityTable {
  /** Union of the rows' keys, in order of first appearance. */
  readonly columns: readonly EntityColumn[];
  /** Missing columns are null. */
  readonly rows: readonly Readonly<Record<string, EntityValue>>[];
  /** Epoch milliseconds of each row's eventTime. */
  readonly times: readonly number[];
}

type Issue = { field: string; rule: string; message: string };
const MAX_ISSUES = 20;

// ISO-8601 date-time with an explicit zone: without one, the instant would depend on the server's zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

const kindOf = (value: unknown): EntityColumnType | 'null' | undefined => {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number')
    return Number.isFinite(value) ? (Number.isSafeInteger(value) ? 'int' : 'float') : undefined;
  return undefined;
};

/** Types and checks entity rows; a ValidationError lists (up to 20) rows and columns at fault. */
export const entityTableOf = (input: readonly unknown[], field = 'body.entities'): EntityTable => {
  const issues: Issue[] = [];
  const report = (issue: Issue) => {
    if (issues.length < MAX_ISSUES) issues.push(issue);
  };
  if (input.length === 0) report({ field, rule: 'too_small', message: 'needs at least one entity row' });
  const types = new Map<string, EntityColumnType | 'null'>();
  const folded = new Map<string, string>();
  const times: number[] = [];
  input.forEach((row, index) => {
    const at = `${field}[${index}]`;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      report({ field: at, rule: 'invalid_type', message: 'an entity row is a JSON object' });
      return;
    }
    for (const [name, value] of Object.entries(row)) {
      const kind = kindOf(value);
      if (kind === undefined) {
        report({
          field: `${at}.${name}`,
          rule: 'invalid_type',
          message: 'must be a string, number, boolean or null',
        });
        continue;
      }
      const known = types.get(name);
      if (known === undefined) {
        const other = folded.get(name.toLowerCase());
        if (other !== undefined) {
          report({
            field: `${at}.${name}`,
            rule: 'duplicate_column',
            message: `differs from column ${other} only in case`,
          });
          continue;
        }
        if (name.toLowerCase().startsWith(RESERVED_PREFIX) || name.length === 0) {
          report({
            field: `${at}.${name}`,
            rule: 'reserved_column',
            message: `column names starting ${RESERVED_PREFIX} are reserved`,
          });
          continue;
        }
        folded.set(name.toLowerCase(), name);
        types.set(name, kind);
      } else if (kind !== 'null' && known !== kind) {
        if ((known === 'int' && kind === 'float') || (known === 'float' && kind === 'int'))
          types.set(name, 'float');
        else if (known === 'null') types.set(name, kind);
        else
          report({
            field: `${at}.${name}`,
            rule: 'invalid_type',
            message: `is ${kind}, but earlier rows hold ${known}`,
          });
      }
    }
    const time = (row as Record<string, unknown>)[EVENT_TIME_COLUMN];
    const ms = typeof time === 'string' && ISO_INSTANT.test(time) ? Date.parse(time) : Number.NaN;
    if (Number.isNaN(ms)) {
      report({
        field: `${at}.${EVENT_TIME_COLUMN}`,
        rule: 'invalid_format',
        message: 'must be an ISO-8601 date-time with a zone',
      });
    }
    times.push(ms);
  });
  if (issues.length > 0) throw new ValidationError(issues);
  const columns = [...types].map(([name, type]) => ({ name, type: type === 'null' ? 'string' : type }));
  const rows = (input as Record<string, unknown>[]).map((row) =>
    Object.fromEntries(columns.map(({ name }) => [name, (row[name] ?? null) as EntityValue])),
  );
  return { columns, rows, times };
};

/** One JSON object per line; blank lines are skipped. */
export const parseJsonLines = (text: string, field: string): unknown[] =>
  text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as unknown];
    } catch {
      throw new ValidationError([
        { field: `${field}:${index + 1}`, rule: 'invalid_json', message: 'is not JSON' },
      ]);
    }
  });

/** RFC 4180 records (quoted fields may hold commas, quotes doubled, and line breaks). */
const csvRecords = (text: string): string[][] => {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"' && cell === '') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
};

const INT = /^-?(?:0|[1-9]\d{0,15})$/;
const FLOAT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * CSV with a header row. A column whose every non-empty cell is an integer becomes int (no leading
 * zeros, so ids like 007 stay strings), else float if all are numbers, bool if all are true/false,
 * else string; empty cells are null.
 */
export const parseCsv = (text: string, field: string): Record<string, EntityValue>[] => {
  const [header, ...records] = csvRecords(text);
  if (!header) throw new ValidationError([{ field, rule: 'too_small', message: 'has no header row' }]);
  const cellsOf = (column: number) => records.map((record) => record[column] ?? '').filter((c) => c !== '');
  const parsers = header.map((_, column): ((cell: string) => EntityValue) => {
    const cells = cellsOf(column);
    if (cells.every((c) => INT.test(c) && Number.isSafeInteger(Number(c)))) return Number;
    if (cells.every((c) => FLOAT.test(c))) return Number;
    if (cells.every((c) => c === 'true' || c === 'false')) return (c) => c === 'true';
    return (c) => c;
  });
  return records.map((record) =>
    Object.fromEntries(
      header.map((name, column) => {
        const cell = record[column] ?? '';
        return [name, cell === '' ? null : (parsers[column] as (cell: string) => EntityValue)(cell)];
      }),
    ),
  );
};
