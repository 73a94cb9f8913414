import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { featureRoutes } from '../../../lambdas/features/routes';
import { buildOpenApiDocument } from '../../../lambdas/shared/http/openapi';

describe('features: route table', () => {
  it('makes a valid OpenAPI 3.1 document (ready for the catalogue)', async () => {
    const document = buildOpenApiDocument([featureRoutes], { title: 'features', version: '0.0.0' });

    const result = await new Validator().validate(structuredClone(document));

    expect(result.errors ?? []).toEqual([]);
    expect(Object.keys(document.paths as object).sort()).toEqual([
      '/feature-groups',
      '/feature-groups/{name}',
      '/feature-groups/{name}/quarantine',
      '/feature-groups/{name}/records',
      '/feature-services',
      '/feature-services/{name}',
      '/features/online',
      '/training-sets',
      '/training-sets/{id}',
      '/training-sets/{id}/rows',
    ]);
  });
});
