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
import { json } from '../../shared/stored';
import { encodingKeyOf, type SageMakerModelFile, sageMakerModelKeyOf } from '../model-files';
import { decodeRegistration, type RegistrationResult } from '../records';
import type { StoredTrainingRequest } from '../schemas';
import type { Encoding } from '../training/encoding';
import type { TrainingTable } from '../training/table';
import { type BuildResult, readTrainingTable } from './build-training-set';
import { parsePredictions } from './channels';
import { PIPELINE_ACTOR, type PipelineTaskDeps } from './deps';
import type { EvaluationResult } from './evaluate';
import { readJson, readText } from './objects';

export type { RegistrationResult };

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
  if (earlier) {
    const registration = decodeRegistration(earlier);
    if ('modelVersion' in registration) return registration;
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
  await deps.store.put({ ...key, data: json(result), condition: { rev: claim.rev } });
  return result;
};

interface RegisterInput {
  readonly executionId: string;
  readonly request: StoredTrainingRequest;
  readonly build: BuildResult;
  readonly train: {
    readonly modelArtifact: string;
    readonly trainingJobName: string;
    readonly trainingImage: string;
  };
  readonly evaluation: EvaluationResult;
}

/** Hyperparameters and split as the run's params, strings as MLflow keeps them. */
const paramsOf = (request: StoredTrainingRequest): Record<string, string> => ({
  algorithm: request.algorithm,
  label: request.label,
  ...Object.fromEntries(Object.entries(request.hyperparameters).map(([k, v]) => [k, String(v)])),
  split: JSON.stringify(request.split),
});

/** Experiment tracking: the run `{executionId}` in `training/{model}`, with its params and metrics. */
const trackRun = async (deps: PipelineTaskDeps, input: RegisterInput, params: Record<string, string>) => {
  const { request, build, evaluation, executionId } = input;
  const ctx = experimentsContext(deps.experiments);
  const run = await createRun(
    ctx,
    await experimentOf(deps, request.model),
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
  return run.runId;
};

/** The registry: the version (PendingApproval) with signature, metrics and full lineage. */
const registerTrainedVersion = async (
  deps: PipelineTaskDeps,
  input: RegisterInput,
  encoding: Encoding,
  run: { readonly runId: string; readonly params: Record<string, string> },
): Promise<number> => {
  const { request, build, evaluation, executionId } = input;
  const { params } = run;
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
  return version.version;
};

/** What serving needs beside the artifact: the encoding it scores with and the SageMaker model name. */
const writeServingFiles = async (
  deps: PipelineTaskDeps,
  input: RegisterInput,
  version: number,
  encoding: Encoding,
): Promise<void> => {
  const { model } = input.request;
  const json = { contentType: 'application/json' };
  await deps.objects.put(encodingKeyOf(model, version), JSON.stringify(encoding), json);
  const sageMakerModel: SageMakerModelFile = { modelName: input.build.trainingJobName };
  await deps.objects.put(sageMakerModelKeyOf(model, version), JSON.stringify(sageMakerModel), json);
};

/** Monitoring's drift baseline: profiles of the training features and of the validation predictions. */
const writeDriftBaseline = async (
  deps: PipelineTaskDeps,
  input: RegisterInput,
  version: number,
): Promise<void> => {
  const { request, build, evaluation } = input;
  const training = await readTrainingTable(
    deps,
    build.dataset.trainingSetId,
    build.dataset.schema as TrainingTable['columns'],
  );
  const predictions = predictedValues(
    parsePredictions(await readText(deps.objects, evaluation.predictionsKey)),
    build.dataset.validationRows,
  );
  await writeBaseline(deps.objects, request.model, version, {
    features: profileTable(columnsOf(training, build.dataset.featureColumns)),
    predictions: profileTable({ [PREDICTION_COLUMN]: Array.from(predictions) }),
    featureGroups: build.dataset.featureGroups,
    metrics: evaluation.metrics,
  });
};

/** One registration, step by step; `onRegistered` marks the point after which a retry must not register. */
const registerOnce = async (
  deps: PipelineTaskDeps,
  input: RegisterInput,
  onRegistered: () => void,
): Promise<RegistrationResult> => {
  const { request, build } = input;
  await ensureModel(deps, request.model);
  const params = paramsOf(request);
  const runId = await trackRun(deps, input, params);
  const encoding = await readJson<Encoding>(deps.objects, build.artifacts.encoding);
  const version = await registerTrainedVersion(deps, input, encoding, { runId, params });
  onRegistered();
  // The groups now name the model among their users (GET /feature-groups/{name} usedBy.models).
  for (const group of build.dataset.featureGroups) {
    await recordModelUse(deps.store, {
      group: group.name,
      groupVersion: group.version,
      model: request.model,
      modelVersion: version,
    });
  }
  await writeServingFiles(deps, input, version, encoding);
  await writeDriftBaseline(deps, input, version);
  const ctx = experimentsContext(deps.experiments);
  await linkModelVersion(ctx, runId, { model: request.model, version });
  await finishRun(ctx, runId, { status: 'FINISHED' });
  return { modelVersion: version, runId };
};
