import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  readonly contentType?: string;
}

/**
 * One API route, declared once: the CDK API, the local HTTP server and the OpenAPI document are all
 * built from these objects, so the three cannot disagree. A route holds no runtime code.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** API Gateway syntax: `/models/{name}/versions/{version}`. */
  readonly path: `/${string}`;
  readonly summary: string;
  readonly tags?: readonly string[];
  readonly request?: {
    readonly params?: P;
    readonly query?: Q;
    readonly body?: B;
  };
  /** Success responses by status; error responses (problem+json) are added to the document for every route. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}

/** The parsed, validated request a route implementation receives. */
export interface RouteRequest<R extends RouteSpec> {
  readonly params: InferPart<R, 'params'>;
  readonly query: InferPart<R, 'query'>;
  readonly body: InferPart<R, 'body'>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly requestId: string;
  /**
   * Who is calling: the IAM principal ARN API Gateway authenticated (cloud), else the
   * `x-mlops-actor` header (local platform, which has no authentication), else `anonymous`.
   */
  readonly actor: string;
}

type InferPart<R extends RouteSpec, K extends 'params' | 'query' | 'body'> = NonNullable<
  R['request']
>[K] extends z.ZodType
  ? z.output<NonNullable<NonNullable<R['request']>[K]>>
  : undefined;

export interface RouteResult {
  readonly status: number;
  /** Serialized as JSON unless `rawBody` is given. */
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteImplementation<R extends RouteSpec> = (request: RouteRequest<R>) => Promise<RouteResult>;

/** A capability's route table: its routes keyed by operationId. */
export type RouteTable = Readonly<Record<string, RouteSpec>>;

/** The implementations of a route table, one per operationId; the compiler checks none is missing. */
export type RouteImplementations<T extends RouteTable> = {
  readonly [K in keyof T]: RouteImplementation<T[K]>;
};

/** Keeps literal types of a route while checking it is a RouteSpec. */
export const defineRoute = <
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends RouteSpec<P, Q, B>,
>(
  route: R,
): R => route;

/** API Gateway's route key for a route, e.g. `GET /models/{name}`. */
export const routeKeyOf = (route: Pick<RouteSpec, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;
