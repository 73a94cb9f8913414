import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { ConflictError, NotFoundError } from '../../../../lambdas/shared/errors';
import { actorOf, makeHttpHandler } from '../../../../lambdas/shared/http/handler';
import { defineRoute, type RouteImplementations } from '../../../../lambdas/shared/http/route';
import { makeObservability } from '../../../../lambdas/shared/observability';
import { httpEvent, lambdaContext } from '../../../support/http';

const routes = {
  createThing: defineRoute({
    operationId: 'createThing',
    method: 'POST',
    path: '/things/{group}',
    summary: 'test',
    request: {
      params: z.object({ group: z.string().regex(/^[a-z]+$/) }),
      query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
      body: z.strictObject({ name: z.string().min(1), size: z.number().int().positive() }),
    },
    responses: { 201: { description: 'created' } },
  }),
  getThing: defineRoute({
    operationId: 'getThing',
    method: 'GET',
    path: '/things/{group}/{name}',
    summary: 'test',
    request: { params: z.object({ group: z.string(), name: z.string() }) },
    responses: { 200: { description: 'ok' } },
  }),
} as const;

const stored: unknown[] = [];
const handler = makeHttpHandler({
  routes,
  observability: makeObservability('test'),
  implementations: {
    createThing: async ({ params, body }) => {
      stored.push({ ...body, group: params.group });
      return { status: 201, body: { ...body, group: params.group } };
    },
    getThing: async ({ params }) => {
      if (params.name === 'missing') throw new NotFoundError(`No thing ${params.name}.`);
      if (params.name === 'taken') throw new ConflictError('Thing taken is locked.');
      throw new Error('database password is hunter2');
    },
  },
});

const call = async (...args: Parameters<typeof httpEvent>) => {
  const response = await handler(httpEvent(...args), lambdaContext);
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
};

describe('HTTP edge', () => {
  it('passes validated, typed input to the route and serialises its result', async () => {
    const response = await call('POST /things/{group}', {
      pathParameters: { group: 'abc' },
      body: JSON.stringify({ name: 'x', size: 3 }),
    });

    expect(response.statusCode).toBe(201);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(response.json).toEqual({ name: 'x', size: 3, group: 'abc' });
  });

  it('names every field at fault and its rule, and stores nothing', async () => {
    const before = stored.length;

    const response = await call('POST /things/{group}', {
      pathParameters: { group: 'ABC' },
      queryStringParameters: { dryRun: 'maybe' },
      body: JSON.stringify({ name: '', size: 1.5, colour: 'red' }),
    });

    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(response.json).toMatchObject({
      status: 400,
      type: 'urn:mlops:problem:validation',
      requestId: 'req-1',
    });
    const fields = response.json.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`);
    expect(fields.sort()).toEqual(
      [
        'params.group:invalid_format',
        'query.dryRun:invalid_value',
        'body.name:too_small',
        'body.size:invalid_type',
        'body.colour:unrecognized_keys',
      ].sort(),
    );
    expect(stored.length).toBe(before);
  });

  it('answers malformed JSON with 400 naming the body', async () => {
    const response = await call('POST /things/{group}', {
      pathParameters: { group: 'abc' },
      body: '{"name":',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json.errors).toEqual([
      { field: 'body', rule: 'json', message: 'The body is not valid JSON.' },
    ]);
  });

  it('answers a missing body with 400 naming the body', async () => {
    const response = await call('POST /things/{group}', { pathParameters: { group: 'abc' } });

    expect(response.statusCode).toBe(400);
    expect(response.json.errors[0]).toMatchObject({ field: 'body', rule: 'invalid_type' });
  });

  it('answers a body that is not JSON with 415', async () => {
    const response = await call('POST /things/{group}', {
      pathParameters: { group: 'abc' },
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(response.statusCode).toBe(415);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });

  it('maps NotFoundError to 404 and ConflictError to 409 with their messages', async () => {
    const missing = await call('GET /things/{group}/{name}', {
      pathParameters: { group: 'a', name: 'missing' },
    });
    const taken = await call('GET /things/{group}/{name}', { pathParameters: { group: 'a', name: 'taken' } });

    expect(missing.statusCode).toBe(404);
    expect(missing.json.detail).toBe('No thing missing.');
    expect(taken.statusCode).toBe(409);
    expect(taken.json.detail).toBe('Thing taken is locked.');
  });

  it('hides the internals of an unexpected error behind a request id', async () => {
    const response = await call('GET /things/{group}/{name}', {
      pathParameters: { group: 'a', name: 'boom' },
    });

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('hunter2');
    expect(response.json).toMatchObject({ status: 500, requestId: 'req-1' });
    expect(response.json.detail).toContain('req-1');
  });

  it('answers a route key it does not serve with a 404 problem', async () => {
    const response = await call('$default');

    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });
});

describe('caller identity', () => {
  it('is the IAM principal API Gateway authenticated, whatever headers say', () => {
    const event = httpEvent('GET /x', { headers: { 'x-mlops-actor': 'mallory' } });
    (event.requestContext as unknown as Record<string, unknown>).authorizer = {
      iam: { userArn: 'arn:aws:iam::123456789012:user/alice' },
    };

    expect(actorOf(event, { 'x-mlops-actor': 'mallory' })).toBe('arn:aws:iam::123456789012:user/alice');
  });

  it('is the x-mlops-actor header without IAM (local platform), else anonymous', () => {
    expect(actorOf(httpEvent('GET /x'), { 'x-mlops-actor': 'bob' })).toBe('bob');
    expect(actorOf(httpEvent('GET /x'), {})).toBe('anonymous');
  });
});

describe('hostile bodies', () => {
  it('refuses nesting deeper than 64 levels with a 400 naming the body, not a stack overflow', async () => {
    const deep = `{"name":${'['.repeat(20_000)}${']'.repeat(20_000)},"size":1}`;

    const response = await call('POST /things/{group}', { pathParameters: { group: 'abc' }, body: deep });

    expect(response.statusCode).toBe(400);
    expect(response.json.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'max_depth' })]);
  });

  it('refuses a __proto__ key anywhere instead of silently dropping it', async () => {
    const before = stored.length;

    const response = await call('POST /things/{group}', {
      pathParameters: { group: 'abc' },
      body: '{"name":"x","size":1,"nested":{"__proto__":{"admin":true}}}',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'forbidden_key' })]);
    expect(stored.length).toBe(before);
  });

  it('refuses a __proto__ key spelled with \\u escapes, which only the slow parse sees', async () => {
    const before = stored.length;

    const response = await call('POST /things/{group}', {
      pathParameters: { group: 'abc' },
      body: '{"name":"x","size":1,"nested":{"\\u005f_prot\\u006f__":{"admin":true}}}',
    });

    expect(response.statusCode).toBe(400);
    expect(response.json.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'forbidden_key' })]);
    expect(stored.length).toBe(before);
  });

  it('still accepts strings that contain brackets and escaped quotes', async () => {
    const response = await call('POST /things/{group}', {
      pathParameters: { group: 'abc' },
      body: JSON.stringify({ name: `${'['.repeat(100)}\\"{{`, size: 2 }),
    });

    expect(response.statusCode).toBe(201);
  });
});

describe('without Lambda observability (the local server)', () => {
  const observability = makeObservability('test-local');
  const implementations: RouteImplementations<typeof routes> = {
    createThing: async ({ body }) => ({ status: 201, body }),
    getThing: async () => {
      throw new Error('database password is hunter2');
    },
  };
  const lean = makeHttpHandler({ routes, observability, lambdaObservability: false, implementations });

  it('answers as the Lambda handler does, records no metrics and leaves no keys on the logger', async () => {
    const addMetric = vi.spyOn(observability.metrics, 'addMetric');
    const appendKeys = vi.spyOn(observability.logger, 'appendKeys');

    const created = await lean(
      httpEvent('POST /things/{group}', { pathParameters: { group: 'abc' }, body: '{"name":"x","size":1}' }),
      lambdaContext,
    );
    const refused = await lean(
      httpEvent('POST /things/{group}', { pathParameters: { group: 'abc' }, body: '{"name":""}' }),
      lambdaContext,
    );
    const failed = await lean(
      httpEvent('GET /things/{group}/{name}', { pathParameters: { group: 'a', name: 'b' } }),
      lambdaContext,
    );

    expect(created).toMatchObject({ statusCode: 201, body: '{"name":"x","size":1}' });
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).errors).toEqual([
      expect.objectContaining({ field: 'body.name' }),
      expect.objectContaining({ field: 'body.size' }),
    ]);
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('hunter2');
    expect(addMetric).not.toHaveBeenCalled();
    expect(appendKeys).not.toHaveBeenCalled();
  });

  it('leaves the Lambda handler as it was: middy around it, a Requests metric per call', async () => {
    const full = makeObservability('test-lambda');
    const addMetric = vi.spyOn(full.metrics, 'addMetric');
    const lambda = makeHttpHandler({ routes, observability: full, implementations });

    await lambda(
      httpEvent('GET /things/{group}/{name}', { pathParameters: { group: 'a', name: 'b' } }),
      lambdaContext,
    );

    expect('use' in lambda).toBe(true);
    expect('use' in lean).toBe(false);
    expect(addMetric).toHaveBeenCalledWith('Requests', 'Count', 1);
  });
});
