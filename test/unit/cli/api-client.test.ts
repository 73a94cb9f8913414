import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiProblemError, regionOfApiHost } from '../../../cli/api-client';

const recordingFetch = () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchStub = async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return new Response(JSON.stringify({ status: 'ok' }), { status: 200 });
  };
  return { calls, fetch: fetchStub as typeof fetch };
};

describe('API client', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('reads the region from an execute-api host', () => {
    expect(regionOfApiHost('abc123.execute-api.eu-west-1.amazonaws.com')).toBe('eu-west-1');
    expect(regionOfApiHost('api.example.com')).toBeUndefined();
  });

  it('signs requests to a deployed API with SigV4 for execute-api in its region', async () => {
    const { calls, fetch } = recordingFetch();
    const client = new ApiClient({ baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com', fetch });

    await client.request('POST', '/notifications/test', { message: 'hi' });

    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers.host).toBeUndefined();
    expect(calls[0]!.url).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/notifications/test');
  });

  it('does not sign requests to the local platform', async () => {
    const { calls, fetch } = recordingFetch();
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:8787', fetch });

    await client.request('GET', '/health');

    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('keeps the problem details of a refused request', async () => {
    const problem = {
      status: 400,
      detail: 'bad',
      errors: [{ field: 'body.x', rule: 'too_small', message: 'small' }],
    };
    const fetchStub = (async () => new Response(JSON.stringify(problem), { status: 400 })) as typeof fetch;
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:8787', fetch: fetchStub });

    const error = await client.request('GET', '/x').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiProblemError);
    expect((error as ApiProblemError).problem.errors?.[0]?.field).toBe('body.x');
  });
});
