/**
 * Register: the version (PendingApproval) with its metrics, params, signature, artifact SHA-256 and full
 * lineage; the run in experiment tracking, linked to the version; the encoding the model scores with;
 * the drift baseline (profiles of the training features and of the validation predictions). A retried
 * Register finds its own earlier registration and returns it instead of registering twice.
 */
import { experimentsContext } from '../../experiments/context';
import { createExperiment, listExperiments } from '../../experiments/experiments';
import { logMetrics } from '../../experiments/metrics';
import { createRun, finishRun, linkModelVersion } from '../../experiments/runs';
import { recordModelUse } from '../../features/public';
import { PREDICTION_COLUMN, writeBaseline } from '../../monitoring/baselines';
import { profileTable } from '../../monitoring/drift';
import { createModel } from '../../registry/models';
import { CreateModelBody } from '../../registry/schemas';
import { registerVersion } from '../../registry/versions';
import { ConditionFailedError, ConflictError, NotFoundError } from '../../shared/errors';
import type { JsonObject } from '../../shared/ports/metadata-store';
import { encodingKeyOf, type SageMakerModelFile, sageMakerModelKeyOf } from '../model-files';
import type { StoredTrainingRequest } from '../schemas';
import type { Encoding } from '../training/encoding';
import type { TrainingTable } from '../training/table';
import { type BuildResult, readTrainingTable } from './build-training-set';
import { parsePredictions } from './channels';
import { PIPELINE_ACTOR, type PipelineTaskDeps } from './deps';
import type { EvaluationResult } from './evaluate';
import { readJson, readText } from './objects';

export interface RegistrationResult {
  readonly modelVersion: number;
  readonly runId: string;
}

const registrationKey = (executionId: string) => ({
  pk: `pipelines#execution#${executionId}`,
  sk: 'registration',
});

const ensureModel = async (deps: PipelineTaskDeps, model: string): Promise<void> => {
  try {
    await createModel(
      deps.registry,
      CreateModelBody.parse({ name: model, description: 'Created by the training pipeline.' }),
      PIPELINE_ACTOR,
    );
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error; // it exists: fine
  }
};

/** The experiment `training/{model}`, made on first use. */
const experimentOf = async (deps: PipelineTaskDeps, model: string): Promise<string> => {
  const ctx = experimentsContext(deps.experiments);
  const name = `training/${model}`;
  const found = await listExperiments(ctx, { limit: 1, name });
  if (found.items[0]) return found.items[0].experimentId;
  try {
    return (
      await createExperiment(ctx, { name, description: `Training pipeline runs of ${model}` }, PIPELINE_ACTOR)
    ).experimentId;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const again = await listExperiments(ctx, { limit: 1, name });
    if (!again.items[0]) throw new NotFoundError(`experiment ${name} vanished`);
    return again.items[0].experimentId;
  }
};

/** Numeric column values as numbers, the rest as they are: the drift engine types the columns itself. */
const columnsOf = (table: TrainingTable, names: readonly string[]) =>
  Object.fromEntries(
    names.map((name) => {
      const at = table.columns.findIndex((c) => c.name === name);
      return [
        name,
        table.rows.map((row) => {
          const v = row[at];
          return typeof v === 'bigint' ? Number(v) : v;
        }),
      ];
    }),
  );

/** One value per row: the prediction, or the most probable class when a row has a probability per class. */
const predictedValues = (predictions: Float64Array, rows: number): Float64Array => {
  const perRow = predictions.length / rows;
  if (perRow === 1) return predictions;
  return Float64Array.from({ length: rows }, (_, r) => {
    const row = predictions.subarray(r * perRow, (r + 1) * perRow);
    return row.indexOf(Math.max(...row));
  });
};

type RegisterInput = Parameters<typeof registerOnce>[1];

/** A retry that finds another attempt's claim without its result: worth retrying once that one ends. */
class RegistrationInProgressError extends Error {
  constructor(executionId: string) {
    super(`execution ${executionId} is registering its version in another attempt`);
    this.name = 'TransientError';
  }
}

/**
 * Registers at most once per execution: the attempt claims the execution's registration item first
 * (create-only), and a retry returns the result the claim holds. A failure before the version exists
 * releases the claim, so a retry can register; one after it keeps the claim, so none registers twice.
 */
export const register = async (deps: PipelineTaskDeps, input: RegisterInput): Promise<RegistrationResult> => {
  const key = registrationKey(input.executionId);
  const earlier = await deps.store.get(key);
  const done = (data: unknown) => (data as Partial<RegistrationResult>).modelVersion !== undefined;
  if (earlier) {
    if (done(earlier.data)) return earlier.data as unknown as RegistrationResult;
    throw new RegistrationInProgressError(input.executionId);
  }
  let claim: Awaited<ReturnType<typeof deps.store.put>>;
  try {
    claim = await deps.store.put({
      ...key,
      data: { claimedAt: deps.clock.now().toISOString() },
      condition: { rev: 0 },
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new RegistrationInProgressError(input.executionId);
    throw error;
  }
  let registered = false;
  let result: RegistrationResult;
  try {
    result = await registerOnce(deps, input, () => {
      registered = true;
    });
  } catch (error) {
    if (!registered)
      await deps.store.delete({ ...key, condition: { rev: claim.rev } }).catch(() => undefined);
    throw error;
  }
  await deps.store.put({ ...key, data: result as unknown as JsonObject, condition: { rev: claim.rev } });
  return result;
};

const registerOnce = async (
  deps: PipelineTaskDeps,
  input: {
    readonly executionId: string;
    readonly request: StoredTrainingRequest;
    readonly build: BuildResult;
    readonly train: {
      readonly modelArtifact: string;
      readonly trainingJobName: string;
      readonly trainingImage: string;
    };
    readonly evaluation: EvaluationResult;
  },
  onRegistered: () => void,
): Promise<RegistrationResult> => {
  const { request, build, evaluation, executionId } = input;

  await ensureModel(deps, request.model);
  const ctx = experimentsContext(deps.experiments);
  const experimentId = await experimentOf(deps, request.model);
  const params = {
    algorithm: request.algorithm,
    label: request.label,
    ...Object.fromEntries(Object.entries(request.hyperparameters).map(([k, v]) => [k, String(v)])),
    split: JSON.stringify(request.split),
  };
  const run = await createRun(
    ctx,
    experimentId,
    {
      name: executionId,
      params,
      tags: { 'mlops.pipelineExecution': executionId, 'mlops.dataset.sha256': build.dataset.sha256 },
    },
    PIPELINE_ACTOR,
  );
  await logMetrics(
    ctx,
    run.runId,
    Object.entries(evaluation.metrics).map(([key, value]) => ({ key, value })),
  );
  const encoding = await readJson<Encoding>(deps.objects, build.artifacts.encoding);
  const version = await registerVersion(
    deps.registry,
    request.model,
    {
      artifactUri: input.train.modelArtifact,
      artifactSha256: evaluation.artifactSha256,
      metrics: evaluation.metrics,
      params,
      signature: {
        inputs: encoding.features.map((f) => ({ name: f.name, type: f.type })),
        outputs: [{ name: PREDICTION_COLUMN, type: 'float' }],
      },
      lineage: {
        datasets: [
          {
            uri: build.dataset.uri,
            sha256: build.dataset.sha256,
            schema: [...build.dataset.schema],
            rowCount: build.dataset.rowCount,
          },
        ],
        featureGroups: [...build.dataset.featureGroups],
        trainingRun: { runId: run.runId, params, metrics: evaluation.metrics },
        code: {
          ...(deps.code.gitSha ? { gitSha: deps.code.gitSha } : {}),
          image: input.train.trainingImage,
        },
        pipelineExecution: { executionId },
      },
      ...(request.description === undefined ? {} : { description: request.description }),
    },
    PIPELINE_ACTOR,
  );
  onRegistered();
  // The groups now name the model among their users (GET /feature-groups/{name} usedBy.models).
  for (const group of build.dataset.featureGroups) {
    await recordModelUse(deps.store, {
      group: group.name,
      groupVersion: group.version,
      model: request.model,
      modelVersion: version.version,
    });
  }
  const json = { contentType: 'application/json' };
  await deps.objects.put(encodingKeyOf(request.model, version.version), JSON.stringify(encoding), json);
  const sageMakerModel: SageMakerModelFile = { modelName: build.trainingJobName };
  await deps.objects.put(
    sageMakerModelKeyOf(request.model, version.version),
    JSON.stringify(sageMakerModel),
    json,
  );
  const training = await readTrainingTable(
    deps,
    build.dataset.trainingSetId,
    build.dataset.schema as TrainingTable['columns'],
  );
  const predictions = predictedValues(
    parsePredictions(await readText(deps.objects, evaluation.predictionsKey)),
    build.dataset.validationRows,
  );
  await writeBaseline(deps.objects, request.model, version.version, {
    features: profileTable(columnsOf(training, build.dataset.featureColumns)),
    predictions: profileTable({ [PREDICTION_COLUMN]: Array.from(predictions) }),
    featureGroups: build.dataset.featureGroups,
    metrics: evaluation.metrics,
  });
  await linkModelVersion(ctx, run.runId, { model: request.model, version: version.version });
  await finishRun(ctx, run.runId, { status: 'FINISHED' });
  return { modelVersion: version.version, runId: run.runId };
};
