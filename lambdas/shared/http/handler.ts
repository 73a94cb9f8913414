import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError } from '../errors';
import type { Observability } from '../observability';
import {
  type FieldError,
  fieldErrorsFromZod,
  HttpProblemError,
  PROBLEM_CONTENT_TYPE,
  problemFromError,
} from './problem';
import { type RouteImplementations, type RouteSpec, type RouteTable, routeKeyOf } from './route';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/** Largest JSON body the API accepts (API Gateway's own payload limit is 10 MB; Lambda's 6 MB). */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface HttpHandlerOptions<T extends RouteTable> {
  readonly routes: T;
  readonly implementations: RouteImplementations<T>;
  readonly observability: Observability;
}

const isJsonContentType = (value: string | undefined): boolean =>
  value !== undefined && /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(value.trim());

const lowerCaseHeaders = (headers: HttpEvent['headers']): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {}))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
};

/** The caller: API Gateway's IAM principal when there is one; locally, what the caller says it is. */
export const actorOf = (event: HttpEvent, headers: Record<string, string>): string => {
  const iam = (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam;
  if (iam?.userArn) return iam.userArn;
  return headers['x-mlops-actor']?.trim().slice(0, 256) || 'anonymous';
};

const parsePart = (
  part: string,
  schema: z.ZodType | undefined,
  value: unknown,
  errors: FieldError[],
): unknown => {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors.push(...fieldErrorsFromZod(part, result.error));
  return undefined;
};

const readJsonBody = (event: HttpEvent, headers: Record<string, string>): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new HttpProblemError(413, 'payload-too-large', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
  }
  if (!isJsonContentType(headers['content-type'])) {
    throw new HttpProblemError(415, 'unsupported-media-type', 'Send the body as application/json.');
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError([{ field: 'body', rule: 'json', message: 'The body is not valid JSON.' }], {
      cause,
    });
  }
};

/** Validates every part of the request against the route's schemas; all field errors are reported at once. */
const parseRequest = (route: RouteSpec, event: HttpEvent, headers: Record<string, string>) => {
  const errors: FieldError[] = [];
  const params = parsePart('params', route.request?.params, event.pathParameters ?? {}, errors);
  const query = parsePart('query', route.request?.query, event.queryStringParameters ?? {}, errors);
  const body = route.request?.body
    ? parsePart('body', route.request.body, readJsonBody(event, headers), errors)
    : undefined;
  if (errors.length > 0) throw new ValidationError(errors);
  return { params, query, body };
};

const problemResponse = (error: unknown, requestId: string): HttpResponse => {
  const problem = problemFromError(error, requestId);
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem),
  };
};

/**
 * Builds the Lambda handler of one capability: its route table dispatched by API Gateway's route key
 * (a map look-up, not a chain of ifs), requests validated with the route's zod schemas, errors turned
 * into problem+json at this edge only, structured logs carrying the request id, and EMF metrics.
 */
export const makeHttpHandler = <T extends RouteTable>(options: HttpHandlerOptions<T>): HttpHandler => {
  const { logger, metrics } = options.observability;
  const byRouteKey = new Map<string, { route: RouteSpec; implement: (request: never) => Promise<unknown> }>();
  for (const [operationId, route] of Object.entries(options.routes)) {
    byRouteKey.set(routeKeyOf(route), {
      route,
      implement: options.implementations[operationId] as (request: never) => Promise<unknown>,
    });
  }

  const core = async (event: HttpEvent): Promise<HttpResponse> => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    logger.appendKeys({ apiRequestId: requestId, routeKey: event.routeKey });
    metrics.addMetric('Requests', MetricUnit.Count, 1);
    try {
      const entry = byRouteKey.get(event.routeKey);
      if (!entry) throw new HttpProblemError(404, 'not-found', `No route ${event.routeKey}.`);
      const headers = lowerCaseHeaders(event.headers);
      const parsed = parseRequest(entry.route, event, headers);
      const result = (await entry.implement({ ...parsed, headers, requestId, actor: actorOf(event, headers) } as never)) as {
        status: number;
        body?: unknown;
        rawBody?: string;
        headers?: Record<string, string>;
      };
      const body = result.rawBody ?? (result.body === undefined ? '' : JSON.stringify(result.body));
      const contentType =
        result.rawBody !== undefined || result.body !== undefined ? 'application/json' : undefined;
      return {
        statusCode: result.status,
        headers: { ...(contentType ? { 'content-type': contentType } : {}), ...result.headers },
        body,
      };
    } catch (error) {
      const response = problemResponse(error, requestId);
      if (response.statusCode >= 500) {
        logger.error('request failed', { error: error as Error });
        metrics.addMetric('ServerError', MetricUnit.Count, 1);
      } else {
        logger.info('request refused', { status: response.statusCode, problem: JSON.parse(response.body) });
        metrics.addMetric('ClientError', MetricUnit.Count, 1);
      }
      return response;
    } finally {
      logger.removeKeys(['apiRequestId', 'routeKey']);
    }
  };

  return middy(core).use(injectLambdaContext(logger)).use(logMetrics(metrics)) as unknown as HttpHandler;
};
