import { ValidationError } from '../../shared/errors';
import type { Cell, ColumnType, TableInput } from './types';

/**
 * How cells become statistics' inputs. Missing: null, undefined, NaN, blank text and the text 'nan'
 * (any case, as numpy and pandas write NaN). Numeric: a finite number, or text that is a decimal
 * number; hex, octal and binary literals, which JavaScript's Number() also accepts, are text.
 */

export type Column = readonly Cell[] | Float64Array;

/** Letters Number() accepts in '0x1f', '0o17', '0b11', which are not decimal numbers. */
const NON_DECIMAL = /[xob]/i;

/** Whether a text cell stands for a missing value. */
export const isMissingText = (text: string): boolean =>
  text.length === 0 || text.trim().length === 0 || (text.length === 3 && text.toLowerCase() === 'nan');

/** The finite number a present text cell spells, or NaN when it is not one. */
export const parseDecimal = (text: string): number => {
  const value = Number(text);
  return Number.isFinite(value) && !NON_DECIMAL.test(text) ? value : Number.NaN;
};

export const isMissing = (cell: Cell | number): boolean =>
  cell === null ||
  cell === undefined ||
  (typeof cell === 'number' && Number.isNaN(cell)) ||
  (typeof cell === 'string' && isMissingText(cell));

/** A present cell as a finite number, or NaN when it does not fit a numeric column. */
export const numericValueOf = (cell: Cell): number => {
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : Number.NaN;
  if (typeof cell === 'string') return parseDecimal(cell);
  return Number.NaN;
};

/** A present cell as a category: the text itself, numbers and booleans as JavaScript prints them. */
export const categoryOf = (cell: Cell | number): string => (typeof cell === 'string' ? cell : String(cell));

/** Rows in a table; every column must have that many. */
export const rowCount = (table: TableInput, name: string): number => {
  let rows: number | undefined;
  for (const [column, values] of Object.entries(table)) {
    if (rows === undefined) rows = values.length;
    else if (values.length !== rows)
      throw new ValidationError([
        {
          field: `${name}.${column}`,
          rule: 'same_length',
          message: `has ${values.length} values where the table's first column has ${rows}`,
        },
      ]);
  }
  return rows ?? 0;
};

/** Whether every present value of a column is a finite number; undefined when none is present. */
export const looksNumeric = (column: Column | undefined): boolean | undefined => {
  if (column === undefined) return undefined;
  let present = false;
  for (const cell of column) {
    if (isMissing(cell)) continue;
    present = true;
    if (Number.isNaN(numericValueOf(cell))) return false;
  }
  return present ? true : undefined;
};

/**
 * A column's type: the override, else inferred from the reference (the baseline defines the schema;
 * current values that do not fit are type violations), else from the current data, else numeric.
 */
export const inferColumnType = (
  override: ColumnType | undefined,
  reference: Column | undefined,
  current?: Column,
): ColumnType => {
  if (override) return override;
  const fromReference = looksNumeric(reference);
  if (fromReference !== undefined) return fromReference ? 'numeric' : 'categorical';
  return looksNumeric(current) === false ? 'categorical' : 'numeric';
};

export interface NumericValues {
  /** The present, finite values (unsorted). */
  readonly values: Float64Array;
  readonly missing: number;
  readonly violations: number;
}

/** The present values of a numeric column; an absent column is all missing. */
export const numericValues = (column: Column | undefined, rows: number): NumericValues => {
  if (column === undefined) return { values: new Float64Array(0), missing: rows, violations: 0 };
  const values = new Float64Array(column.length);
  let count = 0;
  let missing = 0;
  let violations = 0;
  if (column instanceof Float64Array) {
    for (const value of column) {
      if (Number.isFinite(value)) values[count++] = value;
      else if (Number.isNaN(value)) missing++;
      else violations++;
    }
    return { values: values.subarray(0, count), missing, violations };
  }
  for (const cell of column) {
    if (isMissing(cell)) missing++;
    else {
      const value = numericValueOf(cell as Cell);
      if (Number.isNaN(value)) violations++;
      else values[count++] = value;
    }
  }
  return { values: values.subarray(0, count), missing, violations };
};

export interface CategoryCounts {
  readonly counts: Map<string, number>;
  readonly missing: number;
}

/** Counts per category of a column; an absent column is all missing. */
export const categoryCounts = (column: Column | undefined, rows: number): CategoryCounts => {
  const counts = new Map<string, number>();
  if (column === undefined) return { counts, missing: rows };
  let missing = 0;
  for (const cell of column) {
    if (isMissing(cell)) missing++;
    else {
      const category = categoryOf(cell);
      counts.set(category, (counts.get(category) ?? 0) + 1);
    }
  }
  return { counts, missing };
};
