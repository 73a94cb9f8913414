/**
 * In-process XGBoost for the local platform's Train step (and scoring for Evaluate): the same algorithm
 * and hyperparameter names as SageMaker's built-in XGBoost. Training is deterministic: the same matrix,
 * labels and hyperparameters (seed included) give a byte-identical artifact, in one process or two.
 */
import { ValidationError } from '../../shared/errors';
import { decodeArtifact, encodeArtifact, type ModelArtifact } from './artifact';
import { type Encoding, encodeFeatures, expectedLabel } from './encoding';
import { boosterParameters, type Hyperparameters } from './hyperparameters';
import type { TrainingTable } from './table';
import { loadBooster, trainBooster } from './wasm-booster';

export const XGBOOST_LIBRARY = 'ml-xgboost@1.1.2';

/** Encoded training rows: a row-major matrix (NaN = missing) and one label per row. */
export interface TrainingData {
  readonly matrix: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  readonly rows: number;
  readonly columns: number;
}

export interface TrainedModel {
  /** The artifact's bytes (canonical JSON, see artifact.ts) and their SHA-256, hex. */
  readonly artifact: Uint8Array;
  readonly sha256: string;
  readonly document: ModelArtifact;
}

const invalid = (field: string, rule: string, message: string) =>
  new ValidationError([{ field, rule, message }]);

/** Refuses, before WASM sees them, inputs XGBoost would fail a check on (which cannot be caught there). */
const checkData = (data: TrainingData, h: Hyperparameters, encoding: Encoding | undefined): void => {
  if (data.rows < 1 || data.columns < 1)
    throw invalid('data', 'empty', 'needs at least one row and one feature');
  if (data.matrix.length !== data.rows * data.columns) {
    throw invalid(
      'data.matrix',
      'shape',
      `holds ${data.matrix.length} values, not ${data.rows} × ${data.columns}`,
    );
  }
  if (data.labels.length !== data.rows) {
    throw invalid('data.labels', 'shape', `holds ${data.labels.length} labels for ${data.rows} rows`);
  }
  for (let r = 0; r < data.rows; r++) {
    const y = data.labels[r]!;
    const ok =
      Number.isFinite(y) &&
      (h.objective === 'binary:logistic'
        ? y === 0 || y === 1
        : h.objective === 'multi:softprob'
          ? Number.isInteger(y) && y >= 0 && y < (h.num_class ?? 0)
          : true);
    if (!ok)
      throw invalid(
        'data.labels',
        'invalid_label',
        `row ${r} is ${y}, not ${expectedLabel(h.objective, h.num_class)}`,
      );
  }
  if (encoding && (encoding.objective !== h.objective || encoding.features.length !== data.columns)) {
    throw invalid('encoding', 'mismatch', 'was learned for another objective or feature count than the data');
  }
};

/**
 * Trains on the given rows. With the encoding the rows were built with, the artifact also carries the
 * features and the label, so that `predictTable` can score raw training-set rows.
 */
export const trainXgboost = async (
  data: TrainingData,
  hyperparameters: Hyperparameters,
  encoding?: Encoding,
): Promise<TrainedModel> => {
  checkData(data, hyperparameters, encoding);
  const booster = await trainBooster({
    ...data,
    params: boosterParameters(hyperparameters),
    rounds: hyperparameters.num_round,
  });
  const document: ModelArtifact = {
    format: 'mlops-xgboost/1',
    objective: hyperparameters.objective,
    numClass: hyperparameters.num_class,
    hyperparameters,
    columns: data.columns,
    trainingRows: data.rows,
    features: encoding?.features.map(({ name, type, encoding: ordinal }) =>
      ordinal
        ? { name, type, encoding: { kind: ordinal.kind, categories: [...ordinal.categories] } }
        : { name, type },
    ),
    label: encoding?.label,
    booster: {
      format: 'xgboost-binary',
      library: XGBOOST_LIBRARY,
      model: Buffer.from(booster).toString('base64'),
    },
  };
  return { ...encodeArtifact(document), document };
};

/** A loaded model. It holds WASM memory until `free()`. */
export interface XgboostModel {
  readonly document: ModelArtifact;
  /** num_class for multi:softprob (row-major class probabilities), else 1. */
  readonly outputsPerRow: number;
  /** Probabilities of class 1 (binary:logistic), of each class (multi:softprob), or values (regression). */
  predict(matrix: ArrayLike<number>, rows: number, columns: number): Float64Array;
  /** Scores rows of a training set with the encoding stored in the artifact. */
  predictTable(table: TrainingTable, rows?: readonly number[]): Float64Array;
  free(): void;
}

/** Loads an artifact written by trainXgboost; a malformed one is a ValidationError. */
export const loadModel = async (artifact: Uint8Array): Promise<XgboostModel> => {
  const document = decodeArtifact(artifact);
  const outputsPerRow = document.numClass ?? 1;
  const booster = await loadBooster(Buffer.from(document.booster.model, 'base64'), outputsPerRow);
  const predict = (matrix: ArrayLike<number>, rows: number, columns: number) => {
    if (columns !== document.columns) {
      throw invalid('features', 'mismatch', `the model takes ${document.columns} features, not ${columns}`);
    }
    return booster.predict(matrix, rows, columns);
  };
  return {
    document,
    outputsPerRow,
    predict,
    predictTable: (table, rows) => {
      if (!document.features) {
        throw invalid('artifact.features', 'missing', 'the model was trained without its encoding');
      }
      const encoded = encodeFeatures(table, document.features, rows);
      return predict(encoded.matrix, encoded.rows, encoded.columns);
    },
    free: () => booster.free(),
  };
};
