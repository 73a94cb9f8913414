import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import { apiPage } from '../shared/page';
import type { RunRecord } from '../shared/ports/run-search-index';
import { type ExperimentsDeps, experimentsContext } from './context';
import { createExperiment, getExperiment, listExperiments } from './experiments';
import { logMetrics, metricHistory } from './metrics';
import { experimentsRoutes } from './routes';
import { createRun, finishRun, getRun, linkModelVersion, logParams, setTags } from './runs';
import { searchRuns } from './search/search';

export type { ExperimentsDeps } from './context';

const iso = (epochMs: number): string => new Date(epochMs).toISOString();

/** A run as the API shows it: times as ISO-8601 (metric timestamps stay epoch milliseconds, as logged). */
export const runView = (run: RunRecord) => ({
  ...run,
  startTime: iso(run.startTime),
  ...(run.endTime === undefined ? {} : { endTime: iso(run.endTime) }),
});

const epochMs = (timestamp: string | undefined) =>
  timestamp === undefined ? undefined : Date.parse(timestamp);

/** Experiment tracking's route implementations over its ports. */
export const makeExperimentsApi = (deps: ExperimentsDeps): RouteImplementations<typeof experimentsRoutes> => {
  const ctx = experimentsContext(deps);
  return {
    createExperiment: async ({ body, actor }) => ({
      status: 201,
      body: await createExperiment(ctx, body, actor),
    }),
    listExperiments: async ({ query }) => {
      const page = await listExperiments(ctx, {
        limit: query.limit,
        cursor: query.nextToken,
        name: query.name,
      });
      return { status: 200, body: apiPage(page) };
    },
    getExperiment: async ({ params }) => ({
      status: 200,
      body: await getExperiment(ctx, params.experimentId),
    }),
    createRun: async ({ params, body, actor }) => {
      const { startTime, ...rest } = body;
      const run = await createRun(
        ctx,
        params.experimentId,
        { ...rest, startTime: epochMs(startTime) },
        actor,
      );
      return { status: 201, body: runView(run) };
    },
    getRun: async ({ params }) => ({ status: 200, body: runView(await getRun(ctx, params.runId)) }),
    logMetrics: async ({ params, body }) => ({
      status: 200,
      body: await logMetrics(ctx, params.runId, body.metrics),
    }),
    getMetricHistory: async ({ params, query }) => {
      const page = await metricHistory(ctx, params.runId, params.key, {
        limit: query.limit,
        cursor: query.nextToken,
      });
      return { status: 200, body: apiPage(page) };
    },
    logParams: async ({ params, body }) => ({
      status: 200,
      body: runView(await logParams(ctx, params.runId, body.params)),
    }),
    setRunTags: async ({ params, body }) => ({
      status: 200,
      body: runView(await setTags(ctx, params.runId, body.tags)),
    }),
    finishRun: async ({ params, body }) => ({
      status: 200,
      body: runView(
        await finishRun(ctx, params.runId, { status: body.status, endTime: epochMs(body.endTime) }),
      ),
    }),
    linkRunModelVersion: async ({ params, body }) => ({
      status: 200,
      body: runView(await linkModelVersion(ctx, params.runId, body)),
    }),
    searchRuns: async ({ body }) => {
      const page = await searchRuns(ctx, body);
      return { status: 200, body: apiPage({ items: page.items, cursor: page.nextToken }, runView) };
    },
  };
};

/** Experiment tracking's HTTP handler: the Lambda entry and the local server both call this. */
export const makeExperimentsHandler = (
  deps: ExperimentsDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
): HttpHandler =>
  makeHttpHandler({
    ...edge,
    routes: experimentsRoutes,
    implementations: makeExperimentsApi(deps),
    observability,
  });
