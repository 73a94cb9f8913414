/**
 * BuildTrainingSet: the feature store's point-in-time training set (its content hash and schema become
 * the dataset version in the lineage), quality rules on its feature columns, a deterministic split, and
 * the two CSV channels the built-in SageMaker XGBoost algorithm reads (label first, no header, numbers
 * only — categorical columns encoded with an encoding learnt on the training rows and stored beside).
 */

import { decodeParquet } from '../../features/offline/parquet';
import { createTrainingSetFromRequest } from '../../features/training-sets/training-set-api';
import { trainingSetKeys } from '../../features/training-sets/training-sets';
import { ValidationError } from '../../shared/errors';
import { executionObjectPrefix } from '../keys';
import { hyperparametersForSageMaker } from '../sagemaker-hyperparameters';
import type { StoredTrainingRequest } from '../schemas';
import { type Encoding, fitEncoding } from '../training/encoding';
import { objectiveOf } from '../training/hyperparameters';
import { splitRows } from '../training/split';
import type { Cell, TrainingTable } from '../training/table';
import { validateTrainingData } from '../training/validate-data';
import { featuresCsv, labelledCsv } from './channels';
import { PipelineStepError, type PipelineTaskDeps } from './deps';
import { readObject } from './objects';

export interface DatasetVersion {
  readonly trainingSetId: string;
  readonly sha256: string;
  readonly uri: string;
  readonly rowCount: number;
  readonly schema: readonly { readonly name: string; readonly type: string }[];
  readonly featureGroups: readonly { readonly name: string; readonly version: number }[];
  /** Training column names (`group__feature`) of the model's inputs, in order. */
  readonly featureColumns: readonly string[];
  readonly trainRows: number;
  readonly validationRows: number;
}

export interface BuildResult {
  readonly dataset: DatasetVersion;
  readonly channels: { readonly train: string; readonly validation: string };
  /** Object keys of what later steps read back: the encoding, the held-out rows (raw and encoded). */
  readonly artifacts: {
    readonly encoding: string;
    readonly validationRows: string;
    readonly validationFeatures: string;
  };
  readonly trainingJobName: string;
  /** XGBoost's own names, as strings (SageMaker's HyperParameters map). */
  readonly hyperparameters: Record<string, string>;
  readonly outputPath: string;
  /** Object key prefix under which batch transform writes each model's held-out predictions. */
  readonly scoringPath: string;
}

/** SageMaker job names: 1..63 of [a-zA-Z0-9-], unique per account and region. */
export const trainingJobNameOf = (model: string, executionId: string): string =>
  `${model.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 32)}-${executionId}`.slice(0, 63);

/** The rows of a built training set, in its schema's column order. */
export const readTrainingTable = async (
  deps: PipelineTaskDeps,
  trainingSetId: string,
  schema: TrainingTable['columns'],
): Promise<TrainingTable> => {
  const decoded = await decodeParquet(await readObject(deps.objects, trainingSetKeys(trainingSetId).data));
  const rows = decoded.map((row) =>
    schema.map((column) => {
      const value = row[column.name] ?? null;
      return (value instanceof Date ? value.toISOString() : value) as Cell;
    }),
  );
  return { columns: schema, rows };
};

/** The join returns ints as bigint, which JSON cannot hold; Evaluate reads them back as numbers. */
const bigintsAsNumbers = (_key: string, value: unknown) =>
  typeof value === 'bigint' ? Number(value) : value;

export const buildTrainingSet = async (
  deps: PipelineTaskDeps,
  input: { readonly executionId: string; readonly request: StoredTrainingRequest },
): Promise<BuildResult> => {
  const { request, executionId } = input;
  const set = await createTrainingSetFromRequest(deps.features, deps.trainingSets, {
    features: request.features,
    featureService: request.featureService,
    entitiesUri: request.entitiesUri,
  });
  const featureColumns = set.schema.slice(set.schema.length - set.features.length).map((c) => c.name);
  const table = await readTrainingTable(deps, set.id, set.schema as TrainingTable['columns']);
  const report = validateTrainingData(table, {
    label: request.label,
    featureColumns,
    ...objectiveOf(request.hyperparameters),
    ...request.dataRules,
  });
  if (!report.ok) throw new PipelineStepError('DataValidationFailed', JSON.stringify(report));

  let split: ReturnType<typeof splitRows>;
  try {
    split = splitRows(table, request.split, { seed: request.hyperparameters.seed });
  } catch (error) {
    if (error instanceof ValidationError) throw new PipelineStepError('DataValidationFailed', error.message);
    throw error;
  }
  const trainTable = { columns: table.columns, rows: split.train.map((i) => table.rows[i]!) };
  const validationTable = { columns: table.columns, rows: split.validation.map((i) => table.rows[i]!) };
  const encoding: Encoding = fitEncoding(trainTable, {
    label: request.label,
    featureColumns,
    ...objectiveOf(request.hyperparameters),
  });

  const prefix = executionObjectPrefix(executionId);
  const keys = {
    train: `${prefix}channels/train.csv`,
    validation: `${prefix}channels/validation.csv`,
    validationFeatures: `${prefix}channels/validation-features.csv`,
    encoding: `${prefix}encoding.json`,
    validationRows: `${prefix}validation-rows.json`,
  };
  const csv = { contentType: 'text/csv' };
  await deps.objects.put(keys.train, labelledCsv(encoding, trainTable), csv);
  await deps.objects.put(keys.validation, labelledCsv(encoding, validationTable), csv);
  await deps.objects.put(keys.validationFeatures, featuresCsv(encoding, validationTable), csv);
  await deps.objects.put(keys.encoding, JSON.stringify(encoding), { contentType: 'application/json' });
  await deps.objects.put(keys.validationRows, JSON.stringify(validationTable, bigintsAsNumbers), {
    contentType: 'application/json',
  });
  return {
    dataset: {
      trainingSetId: set.id,
      sha256: set.sha256,
      uri: set.uri,
      rowCount: set.rowCount,
      schema: set.schema,
      featureGroups: set.featureGroups,
      featureColumns,
      trainRows: split.train.length,
      validationRows: split.validation.length,
    },
    channels: { train: deps.objects.uriOf(keys.train), validation: deps.objects.uriOf(keys.validation) },
    artifacts: {
      encoding: keys.encoding,
      validationRows: keys.validationRows,
      validationFeatures: keys.validationFeatures,
    },
    trainingJobName: trainingJobNameOf(request.model, executionId),
    hyperparameters: hyperparametersForSageMaker(request.hyperparameters),
    outputPath: deps.objects.uriOf(`${prefix}model`),
    scoringPath: `${prefix}scores`,
  };
};
