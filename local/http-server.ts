import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpHandler } from '../lambdas/shared/http/handler';
import type { RouteTable } from '../lambdas/shared/http/route';
import type { Clock } from '../lambdas/shared/ports/clock';
import { localLambdaContext, toApiGatewayEvent } from './api-gateway-event';
import { Router } from './router';

/** API Gateway HTTP APIs refuse bodies above 10 MB; so does the local server, before any handler runs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface ServedCapability {
  readonly name: string;
  readonly routes: RouteTable;
  readonly handler: HttpHandler;
}

export interface LocalHttpServerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly capabilities: readonly ServedCapability[];
  /** Name of the capability that answers unmatched requests (API Gateway's `$default` route). */
  readonly defaultCapability: string;
  /** Stamps each event's request time, as API Gateway does. */
  readonly clock: Clock;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

class RequestTooLargeError extends Error {
  constructor() {
    super('request body too large');
    this.name = 'RequestTooLargeError';
  }
}

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new RequestTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

const writeProblem = (response: ServerResponse, status: number, title: string, detail: string): void => {
  response.writeHead(status, { 'content-type': 'application/problem+json' });
  response.end(JSON.stringify({ type: 'urn:mlops:problem:edge', title, status, detail, requestId: 'local' }));
};

/**
 * The local stand-in for API Gateway: each request becomes the HTTP API event Lambda would get and
 * goes to the very handler the Lambda function exports, built over embedded adapters.
 */
export const startLocalHttpServer = async (options: LocalHttpServerOptions): Promise<RunningServer> => {
  const router = new Router<ServedCapability>();
  for (const capability of options.capabilities) {
    for (const route of Object.values(capability.routes)) router.add(route, capability);
  }
  const fallback = options.capabilities.find((c) => c.name === options.defaultCapability);
  if (!fallback) throw new Error(`Default capability ${options.defaultCapability} is not served`);

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://local');
      const method = request.method ?? 'GET';
      const match = router.match(method, url.pathname) ?? { routeKey: '$default', target: fallback };
      const body = await readBody(request);
      const event = toApiGatewayEvent(request, url, body, match, options.clock.now());
      const result = await match.target.handler(
        event,
        localLambdaContext(`mlops-local-${match.target.name}`),
      );
      const headers = { ...result.headers, 'apigw-requestid': event.requestContext.requestId } as Record<
        string,
        string
      >;
      response.writeHead(result.statusCode, headers);
      response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        writeProblem(
          response,
          413,
          'Payload too large',
          `Bodies above ${MAX_REQUEST_BYTES} bytes are refused.`,
        );
        request.resume();
        return;
      }
      // Handlers turn their own errors into problem+json; reaching here means the edge itself failed.
      console.error('local http server: request failed', error);
      if (!response.headersSent)
        writeProblem(response, 500, 'Internal server error', 'The local server failed.');
      else response.destroy();
    }
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
};
