/**
 * Evaluate: the trained model on the held-out rows (AUC, accuracy, log loss and the confusion matrix
 * for classification; RMSE, MAE for regression), the champion on the very same rows when there is one,
 * and the gate's verdict. The validation predictions are kept for the drift baseline.
 */
import { createHash } from 'node:crypto';
import { aliasKey, versionKey } from '../../registry/keys';
import type { AliasRecord, VersionRecord } from '../../registry/records';
import { executionObjectPrefix } from '../keys';
import type { StoredTrainingRequest } from '../schemas';
import type { Encoding } from '../training/encoding';
import { encodeTable } from '../training/encoding';
import { applyGate, evaluatePredictions, type GateVerdict } from '../training/evaluate';
import type { TrainingTable } from '../training/table';
import { loadModel } from '../training/xgboost-trainer';
import type { BuildResult } from './build-training-set';
import { PipelineStepError, type PipelineTaskDeps } from './deps';
import { keyOfUri, readObject, readText } from './objects';

export interface EvaluationResult {
  readonly metrics: Record<string, number>;
  /** Rows: actual class, columns: predicted class (classification only). */
  readonly confusionMatrix: readonly (readonly number[])[] | null;
  readonly champion: { readonly version: number; readonly metrics: Record<string, number> } | null;
  readonly gate: GateVerdict;
  /** Object key of the validation predictions (a JSON array), for the drift baseline. */
  readonly predictionsKey: string;
  /** SHA-256 of the model artifact, as the registry records it. */
  readonly artifactSha256: string;
}

/** Where the pipeline keeps a registered version's encoding, so a later champion check can score with it. */
export const encodingKeyOf = (model: string, version: number): string =>
  `models/${model}/versions/${version}/encoding.json`;

const predictWith = async (
  artifact: Uint8Array,
  encoding: Encoding,
  rows: TrainingTable,
): Promise<Float64Array> => {
  const model = await loadModel(artifact).catch((error: unknown) => {
    throw new PipelineStepError(
      'UnsupportedModelFormat',
      `the model artifact cannot be read in process: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  try {
    const encoded = encodeTable(encoding, rows);
    return model.predict(encoded.matrix, encoded.rows, encoded.columns);
  } finally {
    model.free();
  }
};

/** The champion's metrics on the same held-out rows, when it has a readable model and our features. */
const championOf = async (
  deps: PipelineTaskDeps,
  request: StoredTrainingRequest,
  rows: TrainingTable,
  labels: Float64Array,
): Promise<EvaluationResult['champion']> => {
  const alias = await deps.store.get(aliasKey(request.model, 'champion'));
  if (!alias) return null;
  const version = (alias.data as unknown as AliasRecord).version;
  const record = (await deps.store.get(versionKey(request.model, version)))?.data as unknown as
    | VersionRecord
    | undefined;
  const encodingObject = await deps.objects.get(encodingKeyOf(request.model, version));
  if (!record || !encodingObject) return null;
  const encoding = JSON.parse(new TextDecoder().decode(encodingObject.body)) as Encoding;
  const columns = new Set(rows.columns.map((c) => c.name));
  if (!encoding.features.every((f) => columns.has(f.name))) return null;
  const artifact = await readObject(deps.objects, keyOfUri(deps.objects, record.artifactUri, 'champion'));
  const predictions = await predictWith(artifact, encoding, rows);
  return { version, metrics: evaluatePredictions(encoding.objective, labels, predictions).metrics };
};

export const evaluate = async (
  deps: PipelineTaskDeps,
  input: {
    readonly executionId: string;
    readonly request: StoredTrainingRequest;
    readonly build: BuildResult;
    readonly train: { readonly modelArtifact: string };
  },
): Promise<EvaluationResult> => {
  const { request, build } = input;
  const encoding = JSON.parse(await readText(deps.objects, build.artifacts.encoding)) as Encoding;
  const rows = JSON.parse(await readText(deps.objects, build.artifacts.validationRows)) as TrainingTable;
  const artifact = await readObject(
    deps.objects,
    keyOfUri(deps.objects, input.train.modelArtifact, 'train.modelArtifact'),
  );
  const predictions = await predictWith(artifact, encoding, rows);
  const labels = encodeTable(encoding, rows).labels;
  const evaluation = evaluatePredictions(encoding.objective, labels, predictions);
  const champion = await championOf(deps, request, rows, labels);
  const gate = applyGate(request.gate, evaluation.metrics, champion?.metrics);
  const predictionsKey = `${executionObjectPrefix(input.executionId)}validation-predictions.json`;
  await deps.objects.put(predictionsKey, JSON.stringify(Array.from(predictions)), {
    contentType: 'application/json',
  });
  return {
    metrics: evaluation.metrics,
    confusionMatrix: evaluation.confusionMatrix ?? null,
    champion,
    gate,
    predictionsKey,
    artifactSha256: createHash('sha256').update(artifact).digest('hex'),
  };
};
