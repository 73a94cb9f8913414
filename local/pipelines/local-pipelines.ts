/**
 * The training pipeline on the local platform: the task function and the SageMaker training-job
 * stand-in behind the local Step Functions runner, executing statemachines/training-pipeline.asl.json
 * with local values for its placeholders.
 */
import type { PipelineTaskDeps } from '../../lambdas/pipelines/tasks/deps';
import { makePipelineTaskFunction } from '../../lambdas/pipelines/tasks/dispatch';
import type { Clock } from '../../lambdas/shared/ports/clock';
import { LocalStepFunctions } from '../step-functions/runner';
import { LocalWorkflowEngine } from './local-workflow-engine';
import { makeLocalCreateModel, makeLocalTransformJob } from './sagemaker-batch-transform';
import { makeLocalTrainingJob } from './sagemaker-training-job';
import {
  CREATE_MODEL_RESOURCE,
  LOCAL_PIPELINE_SUBSTITUTIONS,
  TRAINING_JOB_RESOURCE,
  TRAINING_PIPELINE_FILE,
  TRANSFORM_JOB_RESOURCE,
} from './training-pipeline-file';

export const makeLocalWorkflowEngine = (
  deps: PipelineTaskDeps,
  options: { readonly clock: Clock; readonly retryIntervalOverride?: number },
): LocalWorkflowEngine =>
  new LocalWorkflowEngine({
    runner: new LocalStepFunctions({
      clock: options.clock,
      taskHandlers: {
        [LOCAL_PIPELINE_SUBSTITUTIONS.PipelineTasksFunctionArn]: makePipelineTaskFunction(deps),
        [TRAINING_JOB_RESOURCE]: makeLocalTrainingJob(deps.objects),
        [CREATE_MODEL_RESOURCE]: makeLocalCreateModel(deps.objects),
        [TRANSFORM_JOB_RESOURCE]: makeLocalTransformJob(deps.objects),
      },
      ...(options.retryIntervalOverride === undefined
        ? {}
        : { retryIntervalOverride: options.retryIntervalOverride }),
    }),
    workflows: {
      'training-pipeline': { path: TRAINING_PIPELINE_FILE, substitutions: LOCAL_PIPELINE_SUBSTITUTIONS },
    },
  });
