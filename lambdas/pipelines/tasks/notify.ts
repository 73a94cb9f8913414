import { sendNotification } from '../../platform/notifications';
import { closeExecution } from '../executions';
import { readableCause } from '../records';
import type { StoredTrainingRequest } from '../schemas';
import type { BuildResult } from './build-training-set';
import type { PipelineTaskDeps } from './deps';
import type { EvaluationResult } from './evaluate';
import type { RegistrationResult } from './register';

export interface SuccessInput {
  readonly executionId: string;
  readonly request: StoredTrainingRequest;
  readonly build: BuildResult;
  readonly evaluation: EvaluationResult;
  readonly registration: RegistrationResult;
}

/** The last step: the execution's output, the record closed SUCCEEDED, a notification sent. */
export const notifySuccess = async (deps: PipelineTaskDeps, input: SuccessInput) => {
  const output = {
    datasetVersion: {
      sha256: input.build.dataset.sha256,
      uri: input.build.dataset.uri,
      rowCount: input.build.dataset.rowCount,
    },
    runId: input.registration.runId,
    metrics: input.evaluation.metrics,
    modelVersion: input.registration.modelVersion,
  };
  // A retried step finds the record closed by its first attempt, which notified already.
  if (!(await closeExecution(deps, input.executionId, { status: 'SUCCEEDED', output }))) return output;
  await sendNotification(deps.notifications, {
    type: 'pipelines.training.succeeded',
    subject: `Model ${input.request.model} version ${input.registration.modelVersion} trained and registered`,
    message: `Training pipeline ${input.executionId} registered ${input.request.model} v${input.registration.modelVersion} (PendingApproval) with ${Object.entries(
      input.evaluation.metrics,
    )
      .map(([name, value]) => `${name}=${value.toFixed(4)}`)
      .join(', ')}.`,
    attributes: { model: input.request.model, executionId: input.executionId, outcome: 'succeeded' },
    detail: { executionId: input.executionId, model: input.request.model, ...output },
  });
  return output;
};

export interface FailureInput {
  readonly executionId: string;
  readonly request: StoredTrainingRequest;
  /** What a Catch put at ResultPath: the failed state's Error and Cause. */
  readonly error: { readonly Error?: string; readonly Cause?: string };
}

/** The Catch target of every step: the record closed FAILED with the cause, a notification sent. */
export const recordFailure = async (deps: PipelineTaskDeps, input: FailureInput) => {
  const error = input.error.Error ?? 'States.TaskFailed';
  const cause = readableCause(input.error.Cause) ?? '';
  if (!(await closeExecution(deps, input.executionId, { status: 'FAILED', error, cause })))
    return { error, cause };
  await sendNotification(deps.notifications, {
    type: 'pipelines.training.failed',
    subject: `Training pipeline for ${input.request.model} failed: ${error}`,
    message: `Training pipeline ${input.executionId} for model ${input.request.model} failed with ${error}: ${cause.slice(0, 2000)}`,
    attributes: { model: input.request.model, executionId: input.executionId, outcome: 'failed', error },
    detail: { executionId: input.executionId, model: input.request.model, error, cause },
  });
  return { error, cause };
};
