import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { platformRoutes } from '../../../lambdas/platform/routes';
import { registryRoutes } from '../../../lambdas/registry/routes';
import { buildOpenApiDocument } from '../../../lambdas/shared/http/openapi';
import { routeKeyOf } from '../../../lambdas/shared/http/route';

describe('registry routes', () => {
  it('serve exactly the API issue 3 states', () => {
    const keys = Object.values(registryRoutes).map(routeKeyOf).sort();

    expect(keys).toEqual([
      'GET /models',
      'GET /models/{name}',
      'GET /models/{name}/aliases/{alias}',
      'GET /models/{name}/history',
      'GET /models/{name}/versions',
      'GET /models/{name}/versions/{version}',
      'GET /models/{name}/versions/{version}/lineage',
      'POST /models',
      'POST /models/{name}/versions',
      'POST /models/{name}/versions/{version}/approval',
      'PUT /models/{name}/aliases/{alias}',
    ]);
  });

  it('make a valid OpenAPI 3.1 document beside the platform routes', async () => {
    const document = buildOpenApiDocument([platformRoutes, registryRoutes], { title: 't', version: '0' });

    const result = await new Validator().validate(structuredClone(document));

    expect(result.errors ?? []).toEqual([]);
    const paths = document.paths as Record<
      string,
      Record<string, { parameters: { name: string; schema: unknown }[] }>
    >;
    expect(paths['/models/{name}/versions/{version}']?.get?.parameters).toContainEqual({
      name: 'version',
      in: 'path',
      required: true,
      schema: expect.objectContaining({ type: 'string', pattern: '^[1-9][0-9]{0,9}$' }),
    });
  });

  it('document how to archive a version on the approval route', () => {
    expect(registryRoutes.decideModelVersion.summary).toContain('Archived (from Approved');
  });
});
