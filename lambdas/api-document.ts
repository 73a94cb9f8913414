import { capabilities } from './catalogue';
import { buildOpenApiDocument } from './shared/http/openapi';

/** Version of the API contract, shown in the OpenAPI document. */
export const API_VERSION = '0.1.0';

/** The OpenAPI document of every capability in the catalogue. */
export const apiDocument = (serverUrl?: string): Record<string, unknown> =>
  buildOpenApiDocument(
    capabilities.map((capability) => capability.routes),
    { title: 'MLOps Platform API', version: API_VERSION, ...(serverUrl ? { serverUrl } : {}) },
  );
