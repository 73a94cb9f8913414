/** Version of the API contract, shown in the OpenAPI document and by `mlops --version`. */
export const API_VERSION = '0.1.0';
