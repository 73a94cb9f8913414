import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpHandler } from '../../lambdas/shared/http/handler';

/** A minimal HTTP API v2 event, as API Gateway would send for `routeKey`. */
export const httpEvent = (
  routeKey: string,
  parts: {
    pathParameters?: Record<string, string>;
    queryStringParameters?: Record<string, string>;
    body?: string;
    headers?: Record<string, string>;
  } = {},
): HttpEvent => {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: parts.headers ?? (parts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(parts.pathParameters ? { pathParameters: parts.pathParameters } : {}),
    ...(parts.queryStringParameters ? { queryStringParameters: parts.queryStringParameters } : {}),
    ...(parts.body !== undefined ? { body: parts.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'example.com',
      domainPrefix: 'example',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey,
      stage: '$default',
      time: '28/Nov/2026:12:00:00 +0000',
      timeEpoch: 0,
    },
  };
};

export const lambdaContext = {
  functionName: 'test',
  awsRequestId: 'aws-req-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

/** A parsed JSON response body, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON.
export const readJson = async (response: Response): Promise<any> => response.json();

/** A route's answer as the in-process fixtures see it. */
export interface RouteResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON.
  readonly json: any;
}

export interface RouteCallInput {
  readonly params?: Record<string, string | number>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  /** Defaults to alice. */
  readonly actor?: string;
}

/** Calls a handler's route in-process, e.g. `call('POST /models', { body: {...} })`. */
export type RouteCaller = (routeKey: string, request?: RouteCallInput) => Promise<RouteResponse>;

/** A caller that builds the API Gateway event for a route and parses the JSON answer. */
export const routeCaller =
  (handler: HttpHandler): RouteCaller =>
  async (routeKey, request = {}) => {
    const pathParameters = Object.fromEntries(
      Object.entries(request.params ?? {}).map(([key, value]) => [key, String(value)]),
    );
    const event = httpEvent(routeKey, {
      pathParameters,
      ...(request.query ? { queryStringParameters: request.query } : {}),
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      headers: { 'content-type': 'application/json', 'x-mlops-actor': request.actor ?? 'alice' },
    });
    const response = await handler(event, lambdaContext);
    return {
      status: response.statusCode,
      contentType: response.headers?.['content-type'] as string | undefined,
      json: response.body ? JSON.parse(response.body) : undefined,
    };
  };
