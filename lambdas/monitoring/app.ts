import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import type { MonitoringDeps } from './deps';
import { runMonitor } from './job/run-monitor';
import { putLabels } from './labels';
import { createMonitor, deleteMonitor, getMonitor, listMonitors, updateMonitor } from './monitors';
import { getReport, listReports } from './reports';
import { monitoringRoutes } from './routes';

export type { MonitoringDeps } from './deps';
export { monitoringDeps } from './deps';

/** The monitoring routes' implementations over their ports. */
export const makeMonitoringApi = (deps: MonitoringDeps): RouteImplementations<typeof monitoringRoutes> => ({
  createMonitor: async ({ body, actor }) => ({ status: 201, body: await createMonitor(deps, body, actor) }),
  listMonitors: async ({ query }) => ({
    status: 200,
    body: await listMonitors(deps, { limit: query.limit, cursor: query.nextToken }),
  }),
  getMonitor: async ({ params }) => ({ status: 200, body: await getMonitor(deps, params.name) }),
  updateMonitor: async ({ params, body }) => ({
    status: 200,
    body: await updateMonitor(deps, params.name, body),
  }),
  deleteMonitor: async ({ params }) => {
    await deleteMonitor(deps, params.name);
    return { status: 204 };
  },
  runMonitor: async ({ params }) => ({
    status: 201,
    body: await runMonitor(deps, params.name, deps.clock.now()),
  }),
  listMonitorReports: async ({ params, query }) => ({
    status: 200,
    body: await listReports(deps, params.name, { limit: query.limit, cursor: query.nextToken }),
  }),
  getMonitorReport: async ({ params }) => ({
    status: 200,
    body: await getReport(deps, params.name, params.id),
  }),
  putModelLabels: async ({ params, body }) => ({
    status: 200,
    body: await putLabels(deps, params.name, body),
  }),
});

/** Monitoring's HTTP handler: the Lambda entry and the local server both call this. */
export const makeMonitoringHandler = (
  deps: MonitoringDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
): HttpHandler =>
  makeHttpHandler({
    ...edge,
    routes: monitoringRoutes,
    implementations: makeMonitoringApi({
      ...deps,
      onRunFailure: (error, monitor) => {
        observability.logger.error('monitor run failed', { monitor, error: error as Error });
        deps.onRunFailure?.(error, monitor);
      },
      onPublishFailure: (error) => {
        observability.logger.warn('RetrainingRequested not published; kept as pending', {
          error: error as Error,
        });
        deps.onPublishFailure?.(error);
      },
    }),
    observability,
  });
