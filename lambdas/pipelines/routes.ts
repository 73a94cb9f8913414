import * as z from 'zod';
import { ModelName } from '../registry/schemas';
import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';
import { ExecutionView, TrainingRequest } from './schemas';

const ExecutionParams = z.strictObject({
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID'),
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
} as const;
