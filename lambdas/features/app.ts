import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import type { FeaturesDeps } from './deps';
import { applyGroup, getGroup, listGroups } from './groups';
import { ingestRecords, listQuarantine } from './ingest';
import { readOnlineJson } from './online';
import { featureRoutes } from './routes';
import { applyService, getService } from './services';

export type { FeaturesDeps } from './deps';
export { featuresDeps } from './deps';

/** The feature routes' implementations over their ports. */
export const makeFeaturesApi = (deps: FeaturesDeps): RouteImplementations<typeof featureRoutes> => ({
  applyFeatureGroup: async ({ body, actor }) => {
    const outcome = await applyGroup(deps, body, actor);
    return { status: outcome.created ? 201 : 200, body: outcome.version };
  },
  listFeatureGroups: async ({ query }) => ({
    status: 200,
    body: await listGroups(deps, { limit: query.limit, cursor: query.nextToken }),
  }),
  getFeatureGroup: async ({ params }) => ({ status: 200, body: await getGroup(deps, params.name) }),
  ingestFeatureRecords: async ({ params, body, actor }) => ({
    status: 200,
    body: await ingestRecords(deps, params.name, body, actor),
  }),
  listFeatureQuarantine: async ({ params, query }) => ({
    status: 200,
    body: await listQuarantine(deps, params.name, { limit: query.limit, cursor: query.nextToken }),
  }),
  readOnlineFeatures: async ({ body }) => ({ status: 200, rawBody: await readOnlineJson(deps, body) }),
  applyFeatureService: async ({ body, actor }) => {
    const outcome = await applyService(deps, body, actor);
    return { status: outcome.created ? 201 : 200, body: outcome.service };
  },
  getFeatureService: async ({ params }) => ({ status: 200, body: await getService(deps, params.name) }),
});

/** The feature store's HTTP handler: the Lambda entry and the local server both call this. */
export const makeFeaturesHandler = (
  deps: FeaturesDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
): HttpHandler =>
  makeHttpHandler({ ...edge, routes: featureRoutes, implementations: makeFeaturesApi(deps), observability });
