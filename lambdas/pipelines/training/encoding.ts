/**
 * Features and labels as XGBoost takes them: a dense row-major float32 matrix (XGBoost's own precision)
 * with NaN for a missing value. Numbers pass as they are, booleans become 0/1, and strings an ordinal
 * code learned on the training rows. The learned encoding is stored with the model, so that scoring
 * later (validation, the champion, an endpoint) builds exactly the matrix the model was trained on.
 */
import { ValidationError } from '../../shared/errors';
import type { Objective } from './hyperparameters';
import { type Cell, type ColumnType, columnPositions, numericValue, type TrainingTable } from './table';

/**
 * String categories by descending training frequency, ties in code-point order (not locale order, which
 * differs between machines); a category's code is its position, an unseen category is missing (NaN).
 */
export interface OrdinalEncoding {
  readonly kind: 'ordinal';
  readonly categories: readonly string[];
}

export interface FeatureEncoding {
  readonly name: string;
  readonly type: ColumnType;
  readonly encoding?: OrdinalEncoding;
}

/** Everything needed to turn rows of a training set into XGBoost's inputs, learned once. */
export interface Encoding {
  readonly features: readonly FeatureEncoding[];
  readonly label: string;
  readonly objective: Objective;
  /** multi:softprob only. */
  readonly numClass?: number;
}

export interface FeatureMatrix {
  /** Row-major: value (row r, feature f) at r × columns + f. */
  readonly matrix: Float32Array;
  readonly rows: number;
  readonly columns: number;
}

export interface EncodedTable extends FeatureMatrix {
  /** Float64 so that regression metrics see the labels as stored, not rounded to float32. */
  readonly labels: Float64Array;
}

/** A cell as JSON shows it (bigint as its digits). */
export const shown = (cell: Cell | undefined): string =>
  JSON.stringify(typeof cell === 'bigint' ? String(cell) : (cell ?? null));

const ordinalOf = (table: TrainingTable, position: number, rows: readonly number[]): OrdinalEncoding => {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const cell = table.rows[row]![position];
    if (typeof cell === 'string') counts.set(cell, (counts.get(cell) ?? 0) + 1);
  }
  const categories = [...counts.keys()].sort(
    (a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0),
  );
  return { kind: 'ordinal', categories };
};

/** Learns the encoding from the given rows (default: all), which should be the training rows only. */
export const fitEncoding = (
  table: TrainingTable,
  options: {
    readonly label: string;
    readonly featureColumns: readonly string[];
    readonly objective: Objective;
    readonly numClass?: number;
  },
  rows: readonly number[] = table.rows.map((_, i) => i),
): Encoding => {
  const positions = columnPositions(table, options.featureColumns, 'features');
  columnPositions(table, [options.label], 'label');
  if ((options.objective === 'multi:softprob') !== (options.numClass !== undefined)) {
    throw new ValidationError([
      {
        field: 'numClass',
        rule: 'num_class',
        message: 'is given exactly when the objective is multi:softprob',
      },
    ]);
  }
  const features = options.featureColumns.map((name, f): FeatureEncoding => {
    const type = table.columns[positions[f]!]!.type;
    return type === 'string'
      ? { name, type, encoding: ordinalOf(table, positions[f]!, rows) }
      : { name, type };
  });
  const { label, objective, numClass } = options;
  return numClass === undefined ? { features, label, objective } : { features, label, objective, numClass };
};

const typeError = (field: string, name: string, row: number, expected: string, cell: Cell) =>
  new ValidationError([
    { field, rule: 'invalid_type', message: `row ${row} of ${name} holds ${shown(cell)}, not ${expected}` },
  ]);

/** A function from one cell of this feature to its float value (NaN = missing). */
const encoderOf = (feature: FeatureEncoding): ((cell: Cell, row: number) => number) => {
  const { name, type, encoding } = feature;
  const field = `features.${name}`;
  if (type === 'string') {
    const codes = new Map((encoding?.categories ?? []).map((category, code) => [category, code]));
    return (cell, row) => {
      if (cell === null) return Number.NaN;
      if (typeof cell !== 'string') throw typeError(field, name, row, 'a string', cell);
      return codes.get(cell) ?? Number.NaN;
    };
  }
  if (type === 'bool') {
    return (cell, row) => {
      if (cell === null) return Number.NaN;
      if (typeof cell !== 'boolean') throw typeError(field, name, row, 'a boolean', cell);
      return cell ? 1 : 0;
    };
  }
  return (cell, row) => {
    if (cell === null) return Number.NaN;
    const value = numericValue(cell);
    if (value === undefined) throw typeError(field, name, row, 'a number', cell);
    return value;
  };
};

/** The feature matrix of the given rows (default: all); columns are found by name, in the encoding's order. */
export const encodeFeatures = (
  table: TrainingTable,
  features: readonly FeatureEncoding[],
  rows?: readonly number[],
): FeatureMatrix => {
  const positions = columnPositions(
    table,
    features.map((feature) => feature.name),
    'features',
  );
  const encoders = features.map(encoderOf);
  const rowCount = rows?.length ?? table.rows.length;
  const columns = features.length;
  const matrix = new Float32Array(rowCount * columns);
  for (let r = 0; r < rowCount; r++) {
    const index = rows ? rows[r]! : r;
    const row = table.rows[index]!;
    for (let f = 0; f < columns; f++) matrix[r * columns + f] = encoders[f]!(row[positions[f]!]!, index);
  }
  return { matrix, rows: rowCount, columns };
};

/** What a label must be for the objective, in words, for error messages and validation reports. */
export const expectedLabel = (objective: Objective, numClass: number | undefined): string =>
  objective === 'binary:logistic'
    ? 'a boolean, 0 or 1'
    : objective === 'multi:softprob'
      ? `an integer in [0, ${numClass})`
      : 'a finite number';

/**
 * A label as the objective needs it: 0/1 (from booleans or the numbers 0 and 1) for binary:logistic,
 * 0..num_class-1 for multi:softprob, any finite number for regression; undefined when it is none of these.
 */
export const labelValue = (
  cell: Cell,
  objective: Objective,
  numClass: number | undefined,
): number | undefined => {
  const value =
    typeof cell === 'boolean' && objective === 'binary:logistic' ? Number(cell) : numericValue(cell);
  if (value === undefined || !Number.isFinite(value)) return undefined;
  if (objective === 'binary:logistic') return value === 0 || value === 1 ? value : undefined;
  if (objective === 'multi:softprob') {
    return Number.isInteger(value) && value >= 0 && value < (numClass ?? 0) ? value : undefined;
  }
  return value;
};

/**
 * The labels of the given rows (default: all). A label XGBoost would reject is refused here, before it
 * reaches the WASM build (whose failed checks cannot be caught).
 */
export const encodeLabels = (
  table: TrainingTable,
  encoding: Encoding,
  rows?: readonly number[],
): Float64Array => {
  const { label, objective, numClass } = encoding;
  const [position] = columnPositions(table, [label], 'label');
  const rowCount = rows?.length ?? table.rows.length;
  const labels = new Float64Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    const index = rows ? rows[r]! : r;
    const cell = table.rows[index]![position!]!;
    const value = labelValue(cell, objective, numClass);
    if (value === undefined) {
      throw new ValidationError([
        {
          field: 'label',
          rule: 'invalid_label',
          message: `row ${index} of ${label} holds ${shown(cell)}, not ${expectedLabel(objective, numClass)}`,
        },
      ]);
    }
    labels[r] = value;
  }
  return labels;
};

/** Features and labels of the given rows (default: all). */
export const encodeTable = (
  encoding: Encoding,
  table: TrainingTable,
  rows?: readonly number[],
): EncodedTable => ({
  ...encodeFeatures(table, encoding.features, rows),
  labels: encodeLabels(table, encoding, rows),
});
