import { API_VERSION } from './api-version';
import { capabilities } from './catalogue';
import { buildOpenApiDocument } from './shared/http/openapi';

/** The OpenAPI document of every capability in the catalogue. */
export const apiDocument = (serverUrl?: string): Record<string, unknown> =>
  buildOpenApiDocument(
    capabilities.map((capability) => capability.routes),
    { title: 'MLOps Platform API', version: API_VERSION, ...(serverUrl ? { serverUrl } : {}) },
  );
