import * as z from 'zod';
import { ModelName } from '../registry/schemas';
import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';
import { ExecutionView, TrainingRequest } from './schemas';

const ExecutionParams = z.strictObject({
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID'),
});
const ModelParams = z.strictObject({ model: ModelName });
const ScheduleBody = z.strictObject({
  schedule: z
    .string()
    .regex(/^(rate|cron)\(.+\)$/, 'must be rate(...) or cron(...)')
    .max(256)
    .describe('rate(1 day), cron(0 3 * * ? *), ... (UTC)'),
});
const TrainingScheduleView = z.object({
  model: z.string(),
  schedule: z.string(),
  basedOn: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
const tags = ['pipelines'];

/** Training pipelines: the state machine in statemachines/training-pipeline.asl.json, on demand. */
export const pipelineRoutes = {
  startTrainingPipeline: defineRoute({
    operationId: 'startTrainingPipeline',
    method: 'POST',
    path: '/pipelines/training/executions',
    summary:
      'Start the training pipeline: validate the data, build a point-in-time training set, train XGBoost, evaluate on the held-out split (and against the champion), gate, register the version as PendingApproval, notify. Answers at once; follow the execution with GET /pipelines/executions/{id}.',
    tags,
    request: { body: TrainingRequest },
    responses: {
      202: {
        description: 'Started.',
        schema: z.object({ executionId: z.string(), status: z.literal('RUNNING') }),
      },
    },
  }),
  getPipelineExecution: defineRoute({
    operationId: 'getPipelineExecution',
    method: 'GET',
    path: '/pipelines/executions/{id}',
    summary:
      'An execution: its status, the steps taken so far, the output (dataset version, run, metrics, model version) or the error and its cause.',
    tags,
    request: { params: ExecutionParams },
    responses: { 200: { description: 'The execution.', schema: ExecutionView } },
  }),
  listPipelineExecutions: defineRoute({
    operationId: 'listPipelineExecutions',
    method: 'GET',
    path: '/pipelines/executions',
    summary: 'Executions newest first, all or of one model.',
    tags,
    request: { query: PaginationQuery.extend({ model: ModelName.optional() }) },
    responses: { 200: { description: 'A page of executions.', schema: pageOf(ExecutionView) } },
  }),
  putTrainingSchedule: defineRoute({
    operationId: 'putTrainingSchedule',
    method: 'PUT',
    path: '/pipelines/training/schedules/{model}',
    summary:
      "Retrain a model on a schedule (EventBridge rate(...) or cron(...), UTC): each run repeats the model's last successful request, reading its entitiesUri and the features again. 409 if the model never trained successfully.",
    tags,
    request: { params: ModelParams, body: ScheduleBody },
    responses: { 200: { description: 'The schedule.', schema: TrainingScheduleView } },
  }),
  listTrainingSchedules: defineRoute({
    operationId: 'listTrainingSchedules',
    method: 'GET',
    path: '/pipelines/training/schedules',
    summary: 'Every training schedule, in model name order.',
    tags,
    responses: {
      200: { description: 'The schedules.', schema: z.object({ items: z.array(TrainingScheduleView) }) },
    },
  }),
  deleteTrainingSchedule: defineRoute({
    operationId: 'deleteTrainingSchedule',
    method: 'DELETE',
    path: '/pipelines/training/schedules/{model}',
    summary: 'Stop retraining a model on a schedule.',
    tags,
    request: { params: ModelParams },
    responses: { 204: { description: 'Deleted.' } },
  }),
} as const;
