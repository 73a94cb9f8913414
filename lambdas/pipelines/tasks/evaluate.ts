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
import { keyOfUri, readJson, readObject, readText } from './objects';
import type { ScoringModel, SkippedChampion } from './plan-scoring';

/**
 * The gate; a margin over a champion that exists but could not be scored on these rows is not met
 * (passing it would let any model replace the champion unchecked).
 */
const gateOf = (
  request: StoredTrainingRequest,
  metrics: Record<string, number>,
  championMetrics: Record<string, number> | undefined,
  skipped: SkippedChampion | null,
): GateVerdict => {
  const verdict = applyGate(request.gate, metrics, championMetrics);
  if (request.gate?.mustBeatChampionBy === undefined || skipped === null) return verdict;
  return {
    ...verdict,
    passed: false,
    reasons: [
      ...verdict.reasons,
      `champion v${skipped.version} could not be scored on these rows: ${skipped.reason}`,
    ],
  };
};

export interface EvaluationResult {
  readonly metrics: Record<string, number>;
  /**
   * Rows: actual class, columns: predicted class (classification only). Inline up to 20 classes; the
   * full matrix is always at `confusionMatrixKey` (a state's payload is limited to 256 KiB).
   */
  readonly confusionMatrix: readonly (readonly number[])[] | null;
  readonly confusionMatrixKey: string | null;
  readonly champion: { readonly version: number; readonly metrics: Record<string, number> } | null;
  readonly gate: GateVerdict;
  /** Object key of the new model's held-out predictions (one per line), for the drift baseline. */
  readonly predictionsKey: string;
  /** SHA-256 of the model artifact, as the registry records it. */
  readonly artifactSha256: string;
}

/** Classes up to which the confusion matrix travels in the state machine's payload. */
const MAX_INLINE_CLASSES = 20;

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
    readonly scoring: {
      readonly models: readonly ScoringModel[];
      readonly championSkipped?: SkippedChampion | null;
    };
  },
): Promise<EvaluationResult> => {
  const { request, build, scoring } = input;
  const encoding = await readJson<Encoding>(deps.objects, build.artifacts.encoding);
  const rows = await readJson<TrainingTable>(deps.objects, build.artifacts.validationRows);
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
  const gate = gateOf(request, evaluation.metrics, champion?.metrics, scoring.championSkipped ?? null);
  const artifact = await readObject(
    deps.objects,
    keyOfUri(deps.objects, input.train.modelArtifact, 'train.modelArtifact'),
  );
  const matrix = evaluation.confusionMatrix ?? null;
  const confusionMatrixKey = matrix ? `${build.scoringPath}/confusion-matrix.json` : null;
  if (matrix && confusionMatrixKey) {
    await deps.objects.put(confusionMatrixKey, JSON.stringify(matrix), { contentType: 'application/json' });
  }
  return {
    metrics: evaluation.metrics,
    confusionMatrix: matrix && matrix.length <= MAX_INLINE_CLASSES ? matrix : null,
    confusionMatrixKey,
    champion,
    gate,
    predictionsKey: transformOutputKey(challenger.outputKey, challenger.inputKey),
    artifactSha256: createHash('sha256').update(artifact).digest('hex'),
  };
};
