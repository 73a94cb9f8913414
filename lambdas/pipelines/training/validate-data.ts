/**
 * Quality rules on a training set before anything is trained on it, as a report a person can read:
 * every rule gives a check that passes, warns or fails, and the data is fit (`ok`) when none fails.
 */
import { expectedLabel, labelValue, shown } from './encoding';
import { isClassification, type Objective } from './hyperparameters';
import { type Cell, numericValue, type TrainingTable } from './table';

export interface DataCheck {
  readonly name: string;
  readonly column?: string;
  readonly status: 'pass' | 'warn' | 'fail';
  readonly detail: string;
}

export interface DataValidationReport {
  readonly ok: boolean;
  readonly rows: number;
  readonly checks: DataCheck[];
}

export interface DataRules {
  readonly label: string;
  /** Model inputs; may be empty when only the label and row count are checked (entity rows). */
  readonly featureColumns: readonly string[];
  readonly objective: Objective;
  readonly numClass?: number;
  /** @default 50 */
  readonly minRows?: number;
  /** Highest share of nulls a feature may have. @default 0.5 */
  readonly maxNullRate?: number;
  /** A class rarer than this share is warned about (classification). @default 0.05 */
  readonly minorityClassWarning?: number;
  /** Bounds of numeric features, inclusive. */
  readonly ranges?: Readonly<Record<string, { readonly min?: number; readonly max?: number }>>;
}

const percent = (part: number, whole: number) => `${Number(((100 * part) / whole).toPrecision(3))} %`;
const count = (n: number) => n.toLocaleString('en-US');
/** "1 row has", "3 rows have": a count with its noun and verb agreeing. */
const counted = (n: number, noun: string, verb: 'is' | 'has') =>
  `${count(n)} ${noun}${n === 1 ? '' : 's'} ${n === 1 ? verb : verb === 'is' ? 'are' : 'have'}`;

const labelChecks = (table: TrainingTable, rules: DataRules, position: number): DataCheck[] => {
  const { label, objective, numClass } = rules;
  let nulls = 0;
  let invalid: { row: number; cell: Cell } | undefined;
  let invalidCount = 0;
  const counts = new Map<number, number>();
  table.rows.forEach((row, i) => {
    const cell = row[position] ?? null;
    const value = cell === null ? undefined : labelValue(cell, objective, numClass);
    if (cell === null) nulls++;
    else if (value === undefined) {
      invalidCount++;
      invalid ??= { row: i, cell };
    } else counts.set(value, (counts.get(value) ?? 0) + 1);
  });
  const checks: DataCheck[] = [
    nulls === 0
      ? { name: 'label_nulls', column: label, status: 'pass', detail: 'no row lacks a label' }
      : {
          name: 'label_nulls',
          column: label,
          status: 'fail',
          detail: `${counted(nulls, 'row', 'has')} no label`,
        },
    invalid === undefined
      ? {
          name: 'label_values',
          column: label,
          status: 'pass',
          detail: `every label is ${expectedLabel(objective, numClass)}`,
        }
      : {
          name: 'label_values',
          column: label,
          status: 'fail',
          detail: `${counted(invalidCount, 'label', 'is')} not ${expectedLabel(objective, numClass)}; the first, row ${invalid.row}, is ${shown(invalid.cell)}`,
        },
    counts.size >= 2
      ? {
          name: 'label_not_constant',
          column: label,
          status: 'pass',
          detail: `${count(counts.size)} distinct labels`,
        }
      : {
          name: 'label_not_constant',
          column: label,
          status: 'fail',
          detail: 'every labelled row has the same label',
        },
  ];
  if (isClassification(objective) && counts.size >= 2) {
    const labelled = [...counts.values()].reduce((a, b) => a + b, 0);
    const [rarest, rarestCount] = [...counts].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0]!;
    const share = rarestCount / labelled;
    const floor = rules.minorityClassWarning ?? 0.05;
    checks.push({
      name: 'class_balance',
      column: label,
      status: share < floor ? 'warn' : 'pass',
      detail: `the rarest class, ${rarest}, is ${percent(rarestCount, labelled)} of the labelled rows${share < floor ? `, under ${percent(floor, 1)}` : ''}`,
    });
  }
  return checks;
};

const featureChecks = (
  table: TrainingTable,
  rules: DataRules,
  name: string,
  position: number,
): DataCheck[] => {
  const rows = table.rows.length;
  const type = table.columns[position]!.type;
  const range = rules.ranges?.[name];
  let nulls = 0;
  let nonFinite = 0;
  let outside = 0;
  let firstOutside: Cell | undefined;
  const distinct = new Set<unknown>();
  for (const row of table.rows) {
    const cell = row[position] ?? null;
    if (cell === null) {
      nulls++;
      continue;
    }
    if (distinct.size < 2) distinct.add(typeof cell === 'bigint' ? Number(cell) : cell);
    const value = numericValue(cell);
    if (value !== undefined && !Number.isFinite(value)) nonFinite++;
    if (
      range &&
      (value === undefined || value < (range.min ?? -Infinity) || value > (range.max ?? Infinity))
    ) {
      outside++;
      firstOutside ??= cell;
    }
  }
  const maxNullRate = rules.maxNullRate ?? 0.5;
  const checks: DataCheck[] = [
    {
      name: 'null_rate',
      column: name,
      status: rows > 0 && nulls / rows > maxNullRate ? 'fail' : 'pass',
      detail: `${count(nulls)} of ${count(rows)} rows are null (${rows > 0 ? percent(nulls, rows) : '0 %'}); at most ${percent(maxNullRate, 1)} may be`,
    },
  ];
  if (type === 'float' || type === 'int') {
    checks.push(
      nonFinite === 0
        ? { name: 'finite_values', column: name, status: 'pass', detail: 'every value is a finite number' }
        : {
            name: 'finite_values',
            column: name,
            status: 'fail',
            detail: `${counted(nonFinite, 'value', 'is')} NaN or infinite`,
          },
    );
  }
  if (range) {
    const bounds = `[${range.min ?? '−∞'}, ${range.max ?? '∞'}]`;
    checks.push(
      outside === 0
        ? { name: 'range', column: name, status: 'pass', detail: `every value is in ${bounds}` }
        : {
            name: 'range',
            column: name,
            status: 'fail',
            detail: `${counted(outside, 'value', 'is')} outside ${bounds}, the first ${shown(firstOutside)}`,
          },
    );
  }
  if (distinct.size < 2) {
    checks.push({
      name: 'feature_not_constant',
      column: name,
      status: 'warn',
      detail: 'one value (or none) in every row: the feature cannot help',
    });
  }
  return checks;
};

/** Runs every rule; a missing label or feature column fails, and its other checks are skipped. */
export const validateTrainingData = (table: TrainingTable, rules: DataRules): DataValidationReport => {
  const positions = new Map(table.columns.map((column, i) => [column.name, i]));
  const minRows = rules.minRows ?? 50;
  const rows = table.rows.length;
  const checks: DataCheck[] = [
    {
      name: 'min_rows',
      status: rows >= minRows ? 'pass' : 'fail',
      detail: `${count(rows)} rows; at least ${count(minRows)} are needed`,
    },
  ];
  const labelPosition = positions.get(rules.label);
  if (labelPosition === undefined) {
    checks.push({
      name: 'label_present',
      column: rules.label,
      status: 'fail',
      detail: 'the training set has no such column',
    });
  } else {
    checks.push({
      name: 'label_present',
      column: rules.label,
      status: 'pass',
      detail: 'the label column is present',
    });
    checks.push(...labelChecks(table, rules, labelPosition));
  }
  const seen = new Set<string>();
  for (const name of rules.featureColumns) {
    const position = positions.get(name);
    if (name === rules.label || seen.has(name) || position === undefined) {
      const detail =
        name === rules.label
          ? 'the label is also a feature: the model would learn the answer'
          : seen.has(name)
            ? 'the feature is listed twice'
            : 'the training set has no such column';
      checks.push({ name: 'feature_present', column: name, status: 'fail', detail });
      continue;
    }
    seen.add(name);
    checks.push(...featureChecks(table, rules, name, position));
  }
  return { ok: checks.every((check) => check.status !== 'fail'), rows, checks };
};
