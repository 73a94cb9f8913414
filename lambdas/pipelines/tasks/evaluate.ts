/**
 * Evaluate: the held-out predictions batch transform wrote for the new model (and the champion, on the
 * very same rows), turned into metrics — AUC, accuracy, log loss and the confusion matrix for
 * classification; RMSE, MAE, R² for regression — and the gate's verdict. The predictions stay where the
 * transform wrote them; Register profiles them for the drift baseline.
 */
import { createHash } from 'node:crypto';
import type { StoredTrainingRequest } from '../schemas';
import type { Encoding } from '../training/encoding';
import { encodeTable } from '../training/encoding';
import { applyGate, evaluatePredictions, type GateVerdict } from '../training/evaluate';
import type { TrainingTable } from '../training/table';
import type { BuildResult } from './build-training-set';
import { parsePredictions, transformOutputKey } from './channels';
import type { PipelineTaskDeps } from './deps';
import { keyOfUri, readObject, readText } from './objects';
import type { ScoringModel } from './plan-scoring';

export interface EvaluationResult {
  readonly metrics: Record<string, number>;
  /** Rows: actual class, columns: predicted class (classification only). */
  readonly confusionMatrix: readonly (readonly number[])[] | null;
  readonly champion: { readonly version: number; readonly metrics: Record<string, number> } | null;
  readonly gate: GateVerdict;
  /** Object key of the new model's held-out predictions (one per line), for the drift baseline. */
  readonly predictionsKey: string;
  /** SHA-256 of the model artifact, as the registry records it. */
  readonly artifactSha256: string;
}

const predictionsOf = async (
  deps: PipelineTaskDeps,
  model: ScoringModel,
  rows: number,
): Promise<Float64Array> => {
  const key = transformOutputKey(model.outputKey, model.inputKey);
  const predictions = parsePredictions(await readText(deps.objects, key));
  if (predictions.length % rows !== 0 || predictions.length === 0) {
    throw new Error(`${key} holds ${predictions.length} predictions for ${rows} held-out rows`);
  }
  return predictions;
};

export const evaluate = async (
  deps: PipelineTaskDeps,
  input: {
    readonly request: StoredTrainingRequest;
    readonly build: BuildResult;
    readonly train: { readonly modelArtifact: string };
    readonly scoring: { readonly models: readonly ScoringModel[] };
  },
): Promise<EvaluationResult> => {
  const { request, build, scoring } = input;
  const encoding = JSON.parse(await readText(deps.objects, build.artifacts.encoding)) as Encoding;
  const rows = JSON.parse(await readText(deps.objects, build.artifacts.validationRows)) as TrainingTable;
  const labels = encodeTable(encoding, rows).labels;
  const challenger = scoring.models.find((m) => m.role === 'challenger');
  if (!challenger) throw new Error('the scoring plan has no challenger');
  const evaluation = evaluatePredictions(
    encoding.objective,
    labels,
    await predictionsOf(deps, challenger, rows.rows.length),
  );
  const championModel = scoring.models.find((m) => m.role === 'champion');
  const champion =
    championModel && championModel.version !== null
      ? {
          version: championModel.version,
          metrics: evaluatePredictions(
            encoding.objective,
            labels,
            await predictionsOf(deps, championModel, rows.rows.length),
          ).metrics,
        }
      : null;
  const gate = applyGate(request.gate, evaluation.metrics, champion?.metrics);
  const artifact = await readObject(
    deps.objects,
    keyOfUri(deps.objects, input.train.modelArtifact, 'train.modelArtifact'),
  );
  return {
    metrics: evaluation.metrics,
    confusionMatrix: evaluation.confusionMatrix ?? null,
    champion,
    gate,
    predictionsKey: transformOutputKey(challenger.outputKey, challenger.inputKey),
    artifactSha256: createHash('sha256').update(artifact).digest('hex'),
  };
};
