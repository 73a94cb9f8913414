import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../lambdas/shared/http/handler';

/** Content types API Gateway passes as text; anything else arrives base64-encoded, as in the cloud. */
const TEXT_CONTENT_TYPE =
  /^(text\/|application\/([a-z0-9.+-]*\+)?(json|xml|x-ndjson|x-www-form-urlencoded))/i;

export interface MatchedRoute {
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
}

/** Joins repeated headers and query parameters with commas, as HTTP API payload version 2.0 does. */
const joinRepeated = (pairs: Iterable<[string, string]>): Record<string, string> => {
  // A prototype-less object: `__proto__` or `constructor` arrive as ordinary names, as API Gateway sends them.
  const out: Record<string, string> = Object.create(null);
  for (const [name, value] of pairs) out[name] = Object.hasOwn(out, name) ? `${out[name]},${value}` : value;
  return out;
};

/** Request headers but cookies, lower-cased and joined like `joinRepeated` (a loop: this runs per request). */
const headersOf = (request: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = Object.create(null);
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'cookie') continue;
    const value = raw[i + 1]!;
    out[name] = Object.hasOwn(out, name) ? `${out[name]},${value}` : value;
  }
  return out;
};

/** Builds the API Gateway HTTP API (payload 2.0) event Lambda would receive for this request. */
export const toApiGatewayEvent = (
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  route: MatchedRoute,
  now: Date,
): HttpEvent => {
  const headers = headersOf(request);
  // URLSearchParams is built lazily and costs more than the rest of the event: only when there is a query.
  const query = url.search === '' ? {} : joinRepeated(url.searchParams.entries());
  const isText = body.length === 0 || TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const cookies = request.headers.cookie?.split(/;\s*/).filter(Boolean);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
};

/** A Lambda context for an in-process invocation. */
export const localLambdaContext = (functionName: string, timeoutMs = 30_000): Context => {
  // A duration, so the monotonic clock: the remaining time must not jump when the wall clock (or a
  // test's clock) does.
  const deadline = performance.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
