import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import { describeExecution, listExecutions, type PipelinesDeps, startTrainingExecution } from './executions';
import { pipelineRoutes } from './routes';
import { deleteTrainingSchedule, listTrainingSchedules, putTrainingSchedule } from './schedules';

export type { PipelinesDeps } from './executions';

export const makePipelinesApi = (deps: PipelinesDeps): RouteImplementations<typeof pipelineRoutes> => ({
  startTrainingPipeline: async ({ body, actor }) => {
    const record = await startTrainingExecution(deps, body, actor);
    return {
      status: 202,
      body: { executionId: record.executionId, status: 'RUNNING' },
      headers: { location: `/pipelines/executions/${record.executionId}` },
    };
  },
  getPipelineExecution: async ({ params }) => ({
    status: 200,
    body: await describeExecution(deps, params.id),
  }),
  listPipelineExecutions: async ({ query }) => ({
    status: 200,
    body: await listExecutions(deps, {
      limit: query.limit,
      ...(query.model === undefined ? {} : { model: query.model }),
      ...(query.nextToken === undefined ? {} : { cursor: query.nextToken }),
    }),
  }),
  putTrainingSchedule: async ({ params, body, actor }) => ({
    status: 200,
    body: await putTrainingSchedule(deps, params.model, body.schedule, actor),
  }),
  listTrainingSchedules: async () => ({ status: 200, body: { items: await listTrainingSchedules(deps) } }),
  deleteTrainingSchedule: async ({ params }) => {
    await deleteTrainingSchedule(deps, params.model);
    return { status: 204 };
  },
});

/** The pipelines API's HTTP handler: the Lambda entry and the local server both call this. */
export const makePipelinesHandler = (
  deps: PipelinesDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
): HttpHandler =>
  makeHttpHandler({
    ...edge,
    routes: pipelineRoutes,
    implementations: makePipelinesApi(deps),
    observability,
  });
