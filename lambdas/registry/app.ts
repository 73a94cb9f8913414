import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import { getAlias, moveAlias } from './aliases';
import { decideVersion } from './approvals';
import type { RegistryDeps } from './deps';
import { getLineage, listHistory } from './lineage';
import { createModel, getModel, listModels } from './models';
import { registryRoutes } from './routes';
import { getVersion, listVersions, registerVersion } from './versions';

export type { RegistryDeps } from './deps';
export { registryDeps } from './deps';

/** The registry routes' implementations over their ports. */
export const makeRegistryApi = (deps: RegistryDeps): RouteImplementations<typeof registryRoutes> => ({
  createModel: async ({ body, actor }) => ({ status: 201, body: await createModel(deps, body, actor) }),
  listModels: async ({ query }) => ({
    status: 200,
    body: await listModels(deps, { limit: query.limit, cursor: query.nextToken }),
  }),
  getModel: async ({ params }) => ({ status: 200, body: await getModel(deps, params.name) }),
  registerModelVersion: async ({ params, body, actor }) => ({
    status: 201,
    body: await registerVersion(deps, params.name, body, actor),
  }),
  listModelVersions: async ({ params, query }) => ({
    status: 200,
    body: await listVersions(deps, params.name, {
      limit: query.limit,
      cursor: query.nextToken,
      status: query.status,
      descending: query.order === 'desc',
    }),
  }),
  getModelVersion: async ({ params }) => ({
    status: 200,
    body: await getVersion(deps, params.name, params.version),
  }),
  decideModelVersion: async ({ params, body, actor }) => ({
    status: 200,
    body: await decideVersion(deps, params.name, params.version, body, actor),
  }),
  setModelAlias: async ({ params, body, actor }) => ({
    status: 200,
    body: await moveAlias(deps, params.name, params.alias, body.version, actor),
  }),
  getModelAlias: async ({ params, query }) => ({
    status: 200,
    body: await getAlias(
      deps,
      params.name,
      params.alias,
      query.at === undefined ? undefined : new Date(query.at),
    ),
  }),
  listModelHistory: async ({ params, query }) => ({
    status: 200,
    body: await listHistory(deps, params.name, { limit: query.limit, cursor: query.nextToken }),
  }),
  getModelVersionLineage: async ({ params }) => ({
    status: 200,
    body: await getLineage(deps, params.name, params.version),
  }),
});

/**
 * The registry's HTTP handler: the Lambda entry and the local server both call this. `edge` turns on
 * Idempotency-Key handling for the POST and PUT routes.
 */
export const makeRegistryHandler = (
  deps: RegistryDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
): HttpHandler =>
  makeHttpHandler({
    ...edge,
    routes: registryRoutes,
    implementations: makeRegistryApi({
      ...deps,
      onPublishFailure: (error, events) => {
        observability.logger.warn('registry events not published; kept as pending', {
          error: error as Error,
          detailTypes: events.map((event) => event.detailType),
        });
        deps.onPublishFailure?.(error, events);
      },
    }),
    observability,
  });
