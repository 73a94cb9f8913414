import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../lambdas/shared/http/handler';

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
