import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ValidationError } from '../errors';
import type { Observability } from '../observability';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_METHODS,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyGuard,
  type IdempotencyOptions,
  idempotencyKeyErrors,
} from './idempotency';
import { parseJsonBody } from './json-body';
import {
  type FieldError,
  fieldErrorsFromZod,
  HttpProblemError,
  PROBLEM_CONTENT_TYPE,
  problemFromError,
} from './problem';
import {
  type RouteImplementations,
  type RouteRequest,
  type RouteResult,
  type RouteSpec,
  type RouteTable,
  routeKeyOf,
} from './route';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
export type HttpHandler = (event: HttpEvent, context: Context) => Promise<HttpResponse>;

/** Largest JSON body the API accepts (API Gateway's own payload limit is 10 MB; Lambda's 6 MB). */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Cross-cutting behaviour of the HTTP edge that a composition root turns on for a capability. */
export interface HttpEdgeOptions {
  /**
   * Honours an `Idempotency-Key` header on POST, PUT and PATCH routes: a repeated request gets the first
   * response back instead of running again (see ./idempotency.ts).
   * @default - off: the header is neither checked nor honoured
   */
  readonly idempotency?: IdempotencyOptions;
  /**
   * Runs each call in middy with Powertools' Lambda context and EMF metrics, and tags the logger with
   * the request. The local server turns it off: it has no Lambda context, publishes no metrics, and
   * runs requests concurrently on one logger; those per-request steps (each Powertools store access
   * reads the environment) cost about a third of a 1-entity online read in process. Refused and failed
   * requests are logged either way, each line naming its request.
   * @default true
   */
  readonly lambdaObservability?: boolean;
}

export interface HttpHandlerOptions<T extends RouteTable> extends HttpEdgeOptions {
  readonly routes: T;
  readonly implementations: RouteImplementations<T>;
  readonly observability: Observability;
}

/** A request as route implementations receive it, whatever the route. */
type RouteCall = RouteRequest<RouteSpec>;
/** One step of answering a routed request; idempotency wraps the route's own step. */
type Dispatch = (request: RouteCall, context: Context | undefined) => Promise<HttpResponse>;

interface RouteEntry {
  readonly route: RouteSpec;
  /** Whether the route honours (and so checks) an Idempotency-Key header. */
  readonly idempotent: boolean;
  readonly dispatch: Dispatch;
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
  // A UTF-16 code unit takes at most 3 UTF-8 bytes: most bodies are measured without encoding them.
  if (text.length * 3 > MAX_BODY_BYTES && Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new HttpProblemError(413, 'payload-too-large', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
  }
  if (!isJsonContentType(headers['content-type'])) {
    throw new HttpProblemError(415, 'unsupported-media-type', 'Send the body as application/json.');
  }
  return parseJsonBody(text);
};

/** Validates every part of the request against the route's schemas; all field errors are reported at once. */
const parseRequest = (entry: RouteEntry, event: HttpEvent, headers: Record<string, string>) => {
  const { route } = entry;
  const errors: FieldError[] = [];
  const params = parsePart('params', route.request?.params, event.pathParameters ?? {}, errors);
  const query = parsePart('query', route.request?.query, event.queryStringParameters ?? {}, errors);
  const body = route.request?.body
    ? parsePart('body', route.request.body, readJsonBody(event, headers), errors)
    : undefined;
  if (entry.idempotent) errors.push(...idempotencyKeyErrors(headers));
  if (errors.length > 0) throw new ValidationError(errors);
  return { params, query, body };
};

const toHttpResponse = (result: RouteResult): HttpResponse => {
  const body = result.rawBody ?? (result.body === undefined ? '' : JSON.stringify(result.body));
  const contentType =
    result.rawBody !== undefined || result.body !== undefined ? 'application/json' : undefined;
  return {
    statusCode: result.status,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...result.headers },
    body,
  };
};

/** The route implementation as the last step: its result serialised. */
const implementationStep =
  (implement: (request: RouteCall) => Promise<RouteResult>): Dispatch =>
  async (request) =>
    toHttpResponse(await implement(request));

/** Sends requests that carry an Idempotency-Key through the guard; others go straight on. */
const idempotencyStep =
  (guard: IdempotencyGuard, routeKey: string, next: Dispatch): Dispatch =>
  async (request, context) => {
    const key = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (key === undefined) return next(request, context);
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const call = { routeKey, actor: request.actor, key, request, remainingMs };
    return (await guard.run(call, () => next(request, context))) as HttpResponse;
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
 * (a map look-up, not a chain of ifs), requests validated with the route's zod schemas, write requests
 * made idempotent when asked to, errors turned into problem+json at this edge only, structured logs
 * carrying the request id, and EMF metrics.
 */
export const makeHttpHandler = <T extends RouteTable>(options: HttpHandlerOptions<T>): HttpHandler => {
  const { logger, metrics } = options.observability;
  const observe = options.lambdaObservability !== false;
  const guard = options.idempotency ? new IdempotencyGuard(options.idempotency, logger) : undefined;
  const byRouteKey = new Map<string, RouteEntry>();
  for (const [operationId, route] of Object.entries(options.routes)) {
    const routeKey = routeKeyOf(route);
    const implement = options.implementations[operationId] as (request: RouteCall) => Promise<RouteResult>;
    const dispatch = implementationStep(implement);
    byRouteKey.set(
      routeKey,
      guard && IDEMPOTENT_METHODS.has(route.method)
        ? { route, idempotent: true, dispatch: idempotencyStep(guard, routeKey, dispatch) }
        : { route, idempotent: false, dispatch },
    );
  }

  const core = async (event: HttpEvent, context: Context): Promise<HttpResponse> => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    // Right in Lambda (one request per instance at a time). The local server runs requests concurrently
    // on one logger, so the edge's own lines below also carry the id explicitly.
    if (observe) {
      logger.appendKeys({ apiRequestId: requestId, routeKey: event.routeKey });
      metrics.addMetric('Requests', MetricUnit.Count, 1);
    }
    try {
      const entry = byRouteKey.get(event.routeKey);
      if (!entry) throw new HttpProblemError(404, 'not-found', `No route ${event.routeKey}.`);
      const headers = lowerCaseHeaders(event.headers);
      const parsed = parseRequest(entry, event, headers);
      const request = { ...parsed, headers, requestId, actor: actorOf(event, headers) } as RouteCall;
      const response = await entry.dispatch(request, context);
      if (observe && response.headers?.[IDEMPOTENT_REPLAYED_HEADER]) {
        metrics.addMetric('IdempotentReplays', MetricUnit.Count, 1);
      }
      return response;
    } catch (error) {
      const response = problemResponse(error, requestId);
      if (response.statusCode >= 500) {
        logger.error('request failed', {
          error: error as Error,
          apiRequestId: requestId,
          routeKey: event.routeKey,
        });
        if (observe) metrics.addMetric('ServerError', MetricUnit.Count, 1);
      } else {
        logger.info('request refused', {
          status: response.statusCode,
          problem: JSON.parse(response.body),
          apiRequestId: requestId,
          routeKey: event.routeKey,
        });
        if (observe) metrics.addMetric('ClientError', MetricUnit.Count, 1);
      }
      return response;
    } finally {
      if (observe) logger.removeKeys(['apiRequestId', 'routeKey']);
    }
  };

  if (!observe) return core;
  return middy(core).use(injectLambdaContext(logger)).use(logMetrics(metrics)) as unknown as HttpHandler;
};
