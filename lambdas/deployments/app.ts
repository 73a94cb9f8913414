import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import { getExperiment } from './ab';
import { getDeployment, startDeployment } from './deployments';
import type { DeploymentsDeps } from './deps';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints } from './endpoints';
import { invokeEndpoint } from './invocations';
import { rollbackEndpoint } from './rollback';
import { deploymentRoutes } from './routes';

export type { DeploymentsDeps } from './deps';
export { deploymentsDeps } from './deps';

/** The deployments routes' implementations over their ports. */
export const makeDeploymentsApi = (deps: DeploymentsDeps): RouteImplementations<typeof deploymentRoutes> => ({
  createEndpoint: async ({ body, actor }) => ({ status: 202, body: await createEndpoint(deps, body, actor) }),
  listEndpoints: async ({ query }) => ({
    status: 200,
    body: await listEndpoints(deps, { limit: query.limit, cursor: query.nextToken }),
  }),
  getEndpoint: async ({ params }) => ({ status: 200, body: await getEndpoint(deps, params.name) }),
  deleteEndpoint: async ({ params }) => {
    await deleteEndpoint(deps, params.name);
    return { status: 204 };
  },
  startDeployment: async ({ params, body, actor }) => ({
    status: 202,
    body: await startDeployment(deps, params.name, body, actor),
  }),
  getDeployment: async ({ params }) => ({
    status: 200,
    body: await getDeployment(deps, params.name, params.id),
  }),
  getExperiment: async ({ params }) => ({
    status: 200,
    body: await getExperiment(deps, params.name, params.id),
  }),
  rollbackEndpoint: async ({ params, body, actor }) => ({
    status: 200,
    body: await rollbackEndpoint(deps, params.name, body.reason, actor, body.fromVersion),
  }),
  invokeEndpoint: async ({ params, body }) => ({
    status: 200,
    body: await invokeEndpoint(deps, params.name, body),
  }),
});

/** The deployments HTTP handler: the Lambda entry and the local server both call this. */
export const makeDeploymentsHandler = (
  deps: DeploymentsDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
): HttpHandler =>
  makeHttpHandler({
    ...edge,
    routes: deploymentRoutes,
    implementations: makeDeploymentsApi(deps),
    observability,
  });
