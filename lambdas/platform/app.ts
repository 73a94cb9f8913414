import { type HttpEdgeOptions, type HttpHandler, makeHttpHandler } from '../shared/http/handler';
import type { RouteImplementations } from '../shared/http/route';
import type { Observability } from '../shared/observability';
import { apiPage } from '../shared/page';
import { listNotifications, type NotificationDeps, sendNotification } from './notifications';
import { platformRoutes } from './routes';

export interface PlatformDeps extends NotificationDeps {
  /** The OpenAPI document of the whole API; async so a Lambda can load the generator on first use. */
  readonly openApiDocument: () => Promise<Record<string, unknown>>;
}

/** The platform routes' implementations over their ports. */
export const makePlatformApi = (deps: PlatformDeps): RouteImplementations<typeof platformRoutes> => ({
  getHealth: async () => ({ status: 200, body: { status: 'ok' } }),
  getOpenApi: async () => ({ status: 200, body: await deps.openApiDocument() }),
  listNotifications: async ({ query }) => {
    const page = await listNotifications(deps, { limit: query.limit, cursor: query.nextToken });
    return { status: 200, body: apiPage(page) };
  },
  sendTestNotification: async ({ body }) => ({
    status: 201,
    body: await sendNotification(deps, {
      type: 'platform.test',
      subject: 'MLOps platform test',
      message: body.message,
    }),
  }),
});

/** The platform capability's HTTP handler: the Lambda entry and the local server both call this. */
export const makePlatformHandler = (
  deps: PlatformDeps,
  observability: Observability,
  edge: HttpEdgeOptions = {},
): HttpHandler =>
  makeHttpHandler({ ...edge, routes: platformRoutes, implementations: makePlatformApi(deps), observability });
