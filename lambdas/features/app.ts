import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import { HttpProblemError } from '../shared/http/problem';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import { applyGroup, getGroup, listGroups } from './definitions/groups';
import { applyService, getService } from './definitions/services';
import type { FeaturesDeps } from './deps';
import { ingestRecords, listQuarantine } from './ingest/ingest';
import { readOnlineJson } from './online/online';
import { featureRoutes } from './routes';
import { createTrainingSetFromRequest } from './training-sets/training-set-api';
import { getTrainingSet, type TrainingSetDeps, trainingSetRows } from './training-sets/training-sets';

export type { FeaturesDeps } from './deps';
export { featuresDeps } from './deps';

/** Training-set routes of a handler built without an engine (online-only tests and benchmarks). */
const noTrainingSets = (): never => {
  throw new HttpProblemError(501, 'not-configured', 'Training sets are not configured on this handler.');
};

/** The feature routes' implementations over their ports; `sets` runs training sets (DuckDB or Athena). */
export const makeFeaturesApi = (
  deps: FeaturesDeps,
  sets?: TrainingSetDeps,
): RouteImplementations<typeof featureRoutes> => ({
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
  createTrainingSet: async ({ body }) => ({
    status: 201,
    body: await createTrainingSetFromRequest(deps, sets ?? noTrainingSets(), body),
  }),
  getTrainingSet: async ({ params }) => ({
    status: 200,
    body: await getTrainingSet(sets ?? noTrainingSets(), params.id),
  }),
  getTrainingSetRows: async ({ params }) => {
    // A Lambda response is buffered (6 MB at most); larger sets are read from `uri` directly.
    let text = '';
    for await (const line of trainingSetRows(sets ?? noTrainingSets(), params.id)) text += line;
    return { status: 200, rawBody: text, headers: { 'content-type': 'application/x-ndjson' } };
  },
});

/** The feature store's HTTP handler: the Lambda entry and the local server both call this. */
export const makeFeaturesHandler = (
  deps: FeaturesDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
  sets?: TrainingSetDeps,
): HttpHandler =>
  makeHttpHandler({
    ...edge,
    routes: featureRoutes,
    implementations: makeFeaturesApi(deps, sets),
    observability,
  });
