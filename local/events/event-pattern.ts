/**
 * EventBridge event patterns, for the local bus: the same JSON a rule in the cloud would hold, e.g.
 * `{ source: ['mlops.registry'], 'detail-type': ['ModelAliasMoved'], detail: { alias: ['champion'] } }`.
 *
 * A field matches when its value (or, for an array value, any element) matches any entry of the
 * pattern's array; nested objects match field by field; every field of a pattern must match. Entries
 * are literals (exact match; numbers by value) or one of EventBridge's operators: `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard` (`*`), `anything-but` (literals, or a prefix/suffix), `numeric`
 * (`['>', 0, '<=', 5]`) and `exists`; `$or` takes a list of alternative patterns.
 */
import { ValidationError } from '../../lambdas/shared/errors';

type Literal = string | number | boolean | null;
type Operator =
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': Literal | readonly Literal[] | { prefix: string } | { suffix: string } }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean };

export type PatternEntry = Literal | Operator;

export interface EventPattern {
  readonly [field: string]: readonly PatternEntry[] | EventPattern | readonly EventPattern[];
}

const COMPARATORS = new Set(['<', '<=', '=', '>=', '>']);

const invalid = (field: string, message: string) =>
  new ValidationError([{ field, rule: 'event_pattern', message }]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isLiteral = (value: unknown): value is Literal =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** Throws a ValidationError naming the first part of `pattern` EventBridge would refuse. */
export const assertEventPattern = (pattern: unknown, path = 'pattern'): void => {
  if (!isObject(pattern) || Object.keys(pattern).length === 0) {
    throw invalid(path, 'must be an object with at least one field');
  }
  for (const [field, rule] of Object.entries(pattern)) {
    const at = `${path}.${field}`;
    if (field === '$or') {
      if (!Array.isArray(rule) || rule.length < 2) throw invalid(at, 'must list at least two patterns');
      rule.forEach((alternative, index) => {
        assertEventPattern(alternative, `${at}.${index}`);
      });
    } else if (Array.isArray(rule)) {
      if (rule.length === 0) throw invalid(at, 'must list at least one value');
      rule.forEach((entry, index) => {
        assertEntry(entry, `${at}.${index}`);
      });
    } else {
      assertEventPattern(rule, at);
    }
  }
};

const assertEntry = (entry: unknown, at: string): void => {
  if (isLiteral(entry)) return;
  if (!isObject(entry) || Object.keys(entry).length !== 1)
    throw invalid(at, 'must be a literal or one operator');
  const [[name, operand]] = Object.entries(entry) as [[string, unknown]];
  const ok = (() => {
    switch (name) {
      case 'prefix':
      case 'suffix':
      case 'equals-ignore-case':
      case 'wildcard':
        return typeof operand === 'string';
      case 'exists':
        return typeof operand === 'boolean';
      case 'anything-but':
        return (
          isLiteral(operand) ||
          (Array.isArray(operand) && operand.every(isLiteral)) ||
          (isObject(operand) &&
            Object.keys(operand).length === 1 &&
            (typeof operand.prefix === 'string' || typeof operand.suffix === 'string'))
        );
      case 'numeric':
        return (
          Array.isArray(operand) &&
          (operand.length === 2 || operand.length === 4) &&
          operand.every((part, i) => (i % 2 === 0 ? COMPARATORS.has(part as string) : Number.isFinite(part)))
        );
      default:
        return false;
    }
  })();
  if (!ok) throw invalid(at, `"${name}" is not an operator this bus knows, or its operand is malformed`);
};

/** Whether `event` (an EventBridge envelope, or any JSON object) matches a checked `pattern`. */
export const matchesPattern = (pattern: EventPattern, event: unknown): boolean =>
  Object.entries(pattern).every(([field, rule]) => {
    if (field === '$or') return (rule as readonly EventPattern[]).some((p) => matchesPattern(p, event));
    const value = isObject(event) ? event[field] : undefined;
    if (Array.isArray(rule)) return matchesEntries(rule as readonly PatternEntry[], value);
    const candidates = Array.isArray(value) ? value : [value];
    return candidates.some(
      (candidate) => isObject(candidate) && matchesPattern(rule as EventPattern, candidate),
    );
  });

const matchesEntries = (entries: readonly PatternEntry[], value: unknown): boolean => {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return entries.some((entry) => {
    if (isObject(entry) && 'exists' in entry) return entry.exists === (value !== undefined);
    return values.some((candidate) => matchesEntry(entry, candidate));
  });
};

const matchesEntry = (entry: PatternEntry, value: unknown): boolean => {
  if (!isObject(entry)) return entry === value;
  if ('prefix' in entry) return typeof value === 'string' && value.startsWith(entry.prefix);
  if ('suffix' in entry) return typeof value === 'string' && value.endsWith(entry.suffix);
  if ('equals-ignore-case' in entry) {
    return typeof value === 'string' && value.toLowerCase() === entry['equals-ignore-case'].toLowerCase();
  }
  if ('wildcard' in entry) return typeof value === 'string' && wildcardRegExp(entry.wildcard).test(value);
  if ('numeric' in entry) return typeof value === 'number' && numericHolds(entry.numeric, value);
  if ('anything-but' in entry) {
    const excluded = entry['anything-but'];
    if (isObject(excluded)) return isLiteral(value) && !matchesEntry(excluded as Operator, value);
    return isLiteral(value) && ![excluded].flat().includes(value);
  }
  return false;
};

const numericHolds = (conditions: readonly (string | number)[], value: number): boolean => {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number;
    const holds = {
      '<': value < bound,
      '<=': value <= bound,
      '=': value === bound,
      '>=': value >= bound,
      '>': value > bound,
    }[conditions[i] as '<' | '<=' | '=' | '>=' | '>'];
    if (!holds) return false;
  }
  return true;
};

const wildcardRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );
