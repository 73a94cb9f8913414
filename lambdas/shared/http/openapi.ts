import * as z from 'zod';
import { IDEMPOTENT_METHODS } from './idempotency';
import type { RouteSpec, RouteTable } from './route';

type JsonSchema = Record<string, unknown>;

export const ProblemDetailsSchema = z.object({
  type: z.string().describe('URN naming the kind of problem, e.g. urn:mlops:problem:validation.'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  requestId: z.string().describe('API Gateway request id: quote it when reporting a 5xx.'),
  errors: z
    .array(
      z.object({
        field: z.string().describe('Path of the field at fault: body.x.y, query.limit, params.name.'),
        rule: z.string().describe('The rule it broke, e.g. too_small, invalid_type, invalid_format.'),
        message: z.string(),
      }),
    )
    .optional(),
});

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** Path or query parameters of an object schema, one OpenAPI parameter per property. */
const parametersOf = (schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] => {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: propertySchema,
    };
  });
};

/** The optional header that makes a write request safe to retry (lambdas/shared/http/idempotency.ts). */
const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes the request safe to retry: the same key with the same request answers the first response again ' +
    '(header idempotent-replayed: true) for 24 h, without a second effect; the same key with another request ' +
    'is refused with 409. Scoped to the route and the caller.',
  schema: {
    type: 'string',
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?$',
  },
} as const;

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
});

const operationOf = (route: RouteSpec): JsonSchema => {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = response.schema
      ? {
          description: response.description,
          content: {
            [response.contentType ?? 'application/json']: { schema: toSchema(response.schema, 'output') },
          },
        }
      : { description: response.description };
  }
  responses['4XX'] = problemResponse('The request was refused; errors names each field and rule at fault.');
  responses['5XX'] = problemResponse('The platform failed; only a request id is shown.');
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.tags ? { tags: [...route.tags] } : {}),
    parameters: [
      ...parametersOf(route.request?.params, 'path'),
      ...parametersOf(route.request?.query, 'query'),
      ...(IDEMPOTENT_METHODS.has(route.method) ? [IDEMPOTENCY_KEY_PARAMETER] : []),
    ],
    ...(route.request?.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(route.request.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
};

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly serverUrl?: string;
}

/**
 * The OpenAPI 3.1 document of the whole API, generated from the route tables — the same objects CDK
 * turns into API Gateway routes and the local server dispatches on. OpenAPI 3.1 schemas are JSON
 * Schema 2020-12, which is what zod emits, so no translation layer is needed.
 */
export const buildOpenApiDocument = (tables: readonly RouteTable[], info: OpenApiInfo): JsonSchema => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const table of tables) {
    for (const route of Object.values(table)) {
      paths[route.path] ??= {};
      paths[route.path]![route.method.toLowerCase()] = operationOf(route);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: 'Errors are RFC 9457 problem details (application/problem+json).',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ sigv4: [] }],
    paths,
    components: {
      schemas: { ProblemDetails: toSchema(ProblemDetailsSchema, 'output') },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 (API Gateway IAM authorization). The local platform needs none.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
};
