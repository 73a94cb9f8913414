/**
 * The CSV the built-in SageMaker XGBoost algorithm reads: numbers only, no header, an empty cell for a
 * missing value; training channels put the label first, batch-transform inputs hold the features only.
 * Its batch transform writes one prediction per line to `{S3OutputPath}/{input file name}.out`.
 */
import type { Encoding } from '../training/encoding';
import { encodeFeatures, encodeTable } from '../training/encoding';
import type { TrainingTable } from '../training/table';

const cells = (values: ArrayLike<number>): string => {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    parts.push(Number.isNaN(v) ? '' : String(v));
  }
  return parts.join(',');
};

/** Rows as `label,feature,...` lines (training and validation channels). */
export const labelledCsv = (encoding: Encoding, table: TrainingTable): string => {
  const encoded = encodeTable(encoding, table);
  const lines: string[] = [];
  for (let r = 0; r < encoded.rows; r++) {
    const start = r * encoded.columns;
    lines.push(`${encoded.labels[r]},${cells(encoded.matrix.subarray(start, start + encoded.columns))}`);
  }
  return `${lines.join('\n')}\n`;
};

/** Rows as `feature,...` lines (a batch transform's input). The label column need not be present. */
export const featuresCsv = (encoding: Encoding, table: TrainingTable): string => {
  const encoded = encodeFeatures(table, encoding.features);
  const lines: string[] = [];
  for (let r = 0; r < encoded.rows; r++) {
    const start = r * encoded.columns;
    lines.push(cells(encoded.matrix.subarray(start, start + encoded.columns)));
  }
  return `${lines.join('\n')}\n`;
};

/** Where batch transform writes the predictions for an input object. */
export const transformOutputKey = (outputKey: string, inputKey: string): string =>
  `${outputKey}/${inputKey.slice(inputKey.lastIndexOf('/') + 1)}.out`;

/**
 * The predictions of a transform's output: one value per line, or one line of class probabilities per
 * row for multi:softprob (comma-separated, possibly in brackets), flattened row by row.
 */
export const parsePredictions = (text: string): Float64Array =>
  Float64Array.from(
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .flatMap((line) =>
        line
          .trim()
          .replace(/^\[|\]$/g, '')
          .split(',')
          .map(Number),
      ),
  );
