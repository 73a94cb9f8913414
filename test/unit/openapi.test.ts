import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { apiDocument } from '../../lambdas/api-document';
import { capabilities } from '../../lambdas/catalogue';

describe('OpenAPI document', () => {
  const document = apiDocument('http://127.0.0.1:8787');

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();

    const result = await validator.validate(structuredClone(document));

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route of every capability, once, under its operationId', () => {
    const paths = document.paths as Record<string, Record<string, { operationId: string }>>;
    const documented = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
      ),
    );

    const declared = capabilities.flatMap((c) =>
      Object.values(c.routes).map((r) => `${r.method} ${r.path} ${r.operationId}`),
    );

    expect(documented.sort()).toEqual(declared.sort());
  });

  it('documents the problem+json error shape for every operation', () => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const methods of Object.values(paths)) {
      for (const operation of Object.values(methods)) {
        expect(operation.responses['4XX']).toMatchObject({
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
          },
        });
      }
    }
  });

  it('offers the Idempotency-Key header on write operations only', () => {
    const paths = document.paths as Record<string, Record<string, { parameters: { name: string }[] }>>;
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const offered = operation.parameters.some((p) => p.name === 'Idempotency-Key');

        expect(offered, `${method} ${path}`).toBe(['post', 'put', 'patch'].includes(method));
      }
    }
  });

  it('turns query schemas into optional parameters with their constraints', () => {
    const list = (document.paths as Record<string, Record<string, { parameters: unknown[] }>>)[
      '/notifications'
    ]!.get!;

    expect(list.parameters).toContainEqual(
      expect.objectContaining({
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ minimum: 1, maximum: 1000 }),
      }),
    );
  });
});
