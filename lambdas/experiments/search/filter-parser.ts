/**
 * MLflow's run search syntax, parsed into the RunSearchQuery AST:
 *
 *   filter   := comparison ( AND comparison )*
 *   comparison := field comparator value
 *   field    := entity "." ( bare-key | `quoted key` | "quoted key" )
 *   entity   := metrics | metric | params | param | tags | tag | attributes | attribute | attr | run
 *   comparator := = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN
 *   value    := number | 'string' | "string" | ( 'string', ... )
 *   order-by := field [ ASC | DESC ]
 *
 * Keywords ignore case. As in MLflow: AND only (no OR, no parentheses), metrics compare with numbers,
 * params and tags with quoted strings; LIKE and ILIKE use `%` and `_`. Time attributes (start_time,
 * end_time) take epoch milliseconds or an ISO-8601 string. Every error names the request field and the
 * character where it starts.
 */
import {
  type Comparison,
  NUMERIC_ATTRIBUTES,
  type NumericAttribute,
  type OrderKey,
  type RunField,
  type ScalarComparator,
  STRING_ATTRIBUTES,
  type StringAttribute,
} from '../../shared/ports/run-search-index';
import { SearchSyntaxError } from '../errors';

/** Each comparison may become a join; SQLite joins at most 64 tables. */
export const MAX_COMPARISONS = 30;

const ENTITIES: Readonly<Record<string, RunField['kind']>> = {
  metrics: 'metric',
  metric: 'metric',
  params: 'param',
  param: 'param',
  tags: 'tag',
  tag: 'tag',
  attributes: 'attribute',
  attribute: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};

const ATTRIBUTES: Readonly<Record<string, NumericAttribute | StringAttribute>> = {
  run_id: 'run_id',
  runId: 'run_id',
  run_name: 'run_name',
  runName: 'run_name',
  status: 'status',
  user_id: 'user_id',
  userId: 'user_id',
  start_time: 'start_time',
  startTime: 'start_time',
  end_time: 'end_time',
  endTime: 'end_time',
};

const COMPARATORS = '=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN';
const BARE_KEY = /[A-Za-z0-9_\-./]/;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

type Literal =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string };

class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly fieldName: string,
  ) {}

  fail(message: string, at: number = this.pos): never {
    throw new SearchSyntaxError(this.fieldName, at + 1, message);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  /** What the scanner sees next, for messages: a short excerpt, or "the end". */
  found(): string {
    if (this.pos >= this.text.length) return 'the end of the text';
    return `"${this.text.slice(this.pos, this.pos + 12)}${this.pos + 12 < this.text.length ? '…' : ''}"`;
  }

  sticky(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const match = pattern.exec(this.text);
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  /** A keyword or entity name, or undefined (nothing consumed) when none starts here. */
  word(): string | undefined {
    this.skipSpace();
    return this.sticky(WORD);
  }

  /** A quoted text starting at the current character; doubling the quote or a backslash escapes it. */
  quoted(what: string): string {
    const quote = this.text[this.pos]!;
    const start = this.pos;
    let value = '';
    for (this.pos++; this.pos < this.text.length; this.pos++) {
      const char = this.text[this.pos]!;
      if (char === '\\' && (this.text[this.pos + 1] === quote || this.text[this.pos + 1] === '\\')) {
        value += this.text[++this.pos];
      } else if (char === quote) {
        if (this.text[this.pos + 1] === quote) {
          value += quote;
          this.pos++;
        } else {
          this.pos++;
          return value;
        }
      } else {
        value += char;
      }
    }
    return this.fail(`unterminated ${what}: no closing ${quote}`, start);
  }

  field(): { field: RunField; start: number } {
    this.skipSpace();
    const start = this.pos;
    const entity = this.sticky(WORD);
    if (entity === undefined) {
      this.fail(
        `expected a field such as metrics.auc, params.max_depth, tags.team or attributes.status, found ${this.found()}`,
      );
    }
    const lower = entity.toLowerCase();
    const kind = Object.hasOwn(ENTITIES, lower) ? ENTITIES[lower] : undefined;
    if (kind === undefined) {
      this.fail(`unknown entity "${entity}": use metrics., params., tags. or attributes.`, start);
    }
    if (this.text[this.pos] !== '.') this.fail(`expected "." after "${entity}", found ${this.found()}`);
    this.pos++;
    const keyStart = this.pos;
    let key = '';
    const next = this.text[this.pos];
    if (next === '`' || next === '"') {
      key = this.quoted('key');
    } else {
      while (this.pos < this.text.length && BARE_KEY.test(this.text[this.pos]!)) key += this.text[this.pos++];
    }
    if (key === '') {
      this.fail(
        `expected a key after "${entity}." (quote keys holding spaces with backticks), found ${this.found()}`,
      );
    }
    if (kind !== 'attribute') return { field: { kind, key }, start };
    const attribute = Object.hasOwn(ATTRIBUTES, key) ? ATTRIBUTES[key] : undefined;
    if (attribute === undefined) {
      const known = [...NUMERIC_ATTRIBUTES, ...STRING_ATTRIBUTES].join(', ');
      this.fail(`unknown attribute "${key}"; searchable attributes are ${known}`, keyStart);
    }
    return { field: { kind, key: attribute }, start };
  }

  comparator(): { op: Comparison['op']; start: number } {
    this.skipSpace();
    const start = this.pos;
    for (const op of ['!=', '<=', '>=', '=', '<', '>'] as const) {
      if (this.text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return { op, start };
      }
    }
    const word = this.sticky(WORD)?.toUpperCase();
    if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') return { op: word, start };
    if (word === 'NOT') {
      if (this.word()?.toUpperCase() === 'IN') return { op: 'NOT IN', start };
      this.fail('expected IN after NOT', start);
    }
    this.pos = start;
    return this.fail(`expected a comparator (${COMPARATORS}), found ${this.found()}`);
  }

  literal(): Literal & { start: number } {
    this.skipSpace();
    const start = this.pos;
    const next = this.text[this.pos];
    if (next === "'" || next === '"') return { kind: 'string', value: this.quoted('string'), start };
    const number = this.sticky(NUMBER);
    if (number !== undefined) {
      const value = Number(number);
      if (!Number.isFinite(value)) this.fail(`number ${number} is out of range`, start);
      return { kind: 'number', value, start };
    }
    return this.fail(`expected a number or a quoted string, found ${this.found()}`);
  }

  list(): { values: string[]; start: number } {
    this.skipSpace();
    const start = this.pos;
    if (this.text[this.pos] !== '(')
      this.fail(`expected "(" to open the list of values, found ${this.found()}`);
    this.pos++;
    const values: string[] = [];
    for (;;) {
      const item = this.literal();
      if (item.kind !== 'string') this.fail('list values are quoted strings', item.start);
      values.push(item.value);
      this.skipSpace();
      const char = this.text[this.pos];
      this.pos++;
      if (char === ')') return { values, start };
      if (char !== ',') this.fail(`expected "," or ")" in the list, found ${this.found()}`, this.pos - 1);
    }
  }
}

const describe = (field: RunField): string =>
  field.kind === 'attribute' ? `attributes.${field.key}` : `${field.kind}s.${field.key}`;

const isNumericField = (field: RunField): boolean =>
  field.kind === 'metric' ||
  (field.kind === 'attribute' && (NUMERIC_ATTRIBUTES as readonly string[]).includes(field.key));

const comparison = (scanner: Scanner): Comparison => {
  const { field } = scanner.field();
  const { op, start: opStart } = scanner.comparator();
  const numeric = isNumericField(field);
  if (op === 'IN' || op === 'NOT IN') {
    if (numeric)
      scanner.fail(`${op} applies to params, tags and string attributes, not ${describe(field)}`, opStart);
    return { field, op, values: scanner.list().values };
  }
  if (numeric && (op === 'LIKE' || op === 'ILIKE')) {
    scanner.fail(`${op} applies to params, tags and string attributes, not ${describe(field)}`, opStart);
  }
  const literal = scanner.literal();
  if (!numeric) {
    if (literal.kind !== 'string') {
      scanner.fail(
        `${describe(field)} compares with a quoted string, e.g. ${describe(field)} = '${literal.value}'`,
        literal.start,
      );
    }
    return { field, op, value: literal.value } as Comparison;
  }
  if (literal.kind === 'number') return { field, op: op as ScalarComparator, value: literal.value };
  // Time attributes also take an ISO-8601 timestamp; metrics take numbers only.
  const time =
    field.kind === 'attribute' && ISO_DATE.test(literal.value) ? Date.parse(literal.value) : Number.NaN;
  if (Number.isNaN(time)) {
    const example =
      field.kind === 'metric' ? `${describe(field)} > 0.8` : `${describe(field)} > 1767225600000`;
    scanner.fail(`${describe(field)} compares with a number, e.g. ${example}`, literal.start);
  }
  return { field, op: op as ScalarComparator, value: time };
};

/** Parses a filter; an empty or blank filter matches every run. */
export const parseFilter = (text: string, fieldName = 'body.filter'): Comparison[] => {
  const scanner = new Scanner(text, fieldName);
  const comparisons: Comparison[] = [];
  if (scanner.atEnd()) return comparisons;
  for (;;) {
    if (comparisons.length === MAX_COMPARISONS) {
      scanner.fail(`a filter holds at most ${MAX_COMPARISONS} comparisons`);
    }
    comparisons.push(comparison(scanner));
    if (scanner.atEnd()) return comparisons;
    const start = scanner.pos;
    const word = scanner.word()?.toUpperCase();
    if (word === 'OR')
      scanner.fail('OR is not supported: a filter joins comparisons with AND only, as in MLflow', start);
    if (word !== 'AND') {
      scanner.pos = start;
      scanner.fail(`expected AND or the end of the filter, found ${scanner.found()}`);
    }
    if (scanner.atEnd()) scanner.fail('expected a comparison after AND');
  }
};

/** Parses one order-by clause such as `metrics.auc DESC` (ascending when no direction is given). */
export const parseOrderBy = (text: string, fieldName: string): OrderKey => {
  const scanner = new Scanner(text, fieldName);
  const { field } = scanner.field();
  if (scanner.atEnd()) return { field, descending: false };
  const start = scanner.pos;
  const direction = scanner.word()?.toUpperCase();
  if (direction !== 'ASC' && direction !== 'DESC') {
    scanner.pos = start;
    scanner.fail(`expected ASC, DESC or the end, found ${scanner.found()}`);
  }
  if (!scanner.atEnd()) scanner.fail(`expected the end after ${direction}, found ${scanner.found()}`);
  return { field, descending: direction === 'DESC' };
};
