import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { SqliteMetadataStore } from '../../../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { ConflictError } from '../../../../lambdas/shared/errors';
import { type HttpHandler, makeHttpHandler } from '../../../../lambdas/shared/http/handler';
import { canonicalJson } from '../../../../lambdas/shared/http/idempotency';
import { defineRoute } from '../../../../lambdas/shared/http/route';
import { makeObservability } from '../../../../lambdas/shared/observability';
import { type ManualClock, manualClock } from '../../../support/clock';
import { httpEvent, lambdaContext } from '../../../support/http';
import { sqliteStores } from '../../../support/stores';

const routes = {
  createThing: defineRoute({
    operationId: 'createThing',
    method: 'POST',
    path: '/things',
    summary: 'test',
    request: { body: z.strictObject({ name: z.string().min(1), size: z.number().int().positive() }) },
    responses: { 201: { description: 'created' } },
  }),
  putThing: defineRoute({
    operationId: 'putThing',
    method: 'PUT',
    path: '/things/{name}',
    summary: 'test',
    request: { params: z.object({ name: z.string() }), body: z.strictObject({ size: z.number() }) },
    responses: { 200: { description: 'replaced' } },
  }),
  getThing: defineRoute({
    operationId: 'getThing',
    method: 'GET',
    path: '/things/{name}',
    summary: 'test',
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: { description: 'ok' } },
  }),
} as const;

const START = '2026-11-28T12:00:00.000Z';
/** What the Lambda context of test/support/http.ts says is left of the invocation. */
const LOCK_MS = 10_000;

const openStore = sqliteStores();
let clock: ManualClock;
let store: SqliteMetadataStore;
/** Every effect the routes had, in order: what must not happen twice. */
let effects: string[];
/** When set, createThing waits for it before taking effect. */
let gate: Promise<void> | undefined;
/** When set, the next createThing throws it (an Error) or answers it (a result) instead of taking effect. */
let failNext: Error | { status: number; body: unknown } | undefined;

const implementations = {
  createThing: async ({ body }: { body: { name: string; size: number } }) => {
    await gate;
    const failure = failNext;
    failNext = undefined;
    if (failure instanceof Error) throw failure;
    if (failure) return failure;
    effects.push(`create ${body.name}`);
    return {
      status: 201,
      body: { id: effects.length, ...body },
      headers: { location: `/things/${body.name}` },
    };
  },
  putThing: async ({ params, body }: { params: { name: string }; body: { size: number } }) => {
    effects.push(`put ${params.name}`);
    return { status: 200, body: { name: params.name, size: body.size, id: effects.length } };
  },
  getThing: async ({ params }: { params: { name: string } }) => ({
    status: 200,
    body: { name: params.name },
  }),
};

const handlerWith = (idempotency: boolean): HttpHandler =>
  makeHttpHandler({
    routes,
    implementations,
    observability: makeObservability('test'),
    ...(idempotency ? { idempotency: { store, clock } } : {}),
  });

let handler: HttpHandler;

beforeEach(() => {
  clock = manualClock(START);
  store = openStore(clock);
  effects = [];
  gate = undefined;
  failNext = undefined;
  handler = handlerWith(true);
});

interface CallOptions {
  readonly key?: string;
  readonly actor?: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly params?: Record<string, string>;
  readonly via?: HttpHandler;
}

const call = async (routeKey: string, options: CallOptions = {}) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key !== undefined) headers['Idempotency-Key'] = options.key;
  if (options.actor !== undefined) headers['x-mlops-actor'] = options.actor;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await (options.via ?? handler)(
    httpEvent(routeKey, {
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.params ? { pathParameters: options.params } : {}),
    }),
    lambdaContext,
  );
  return { ...response, json: response.body ? JSON.parse(response.body) : undefined };
};

const create = (key: string | undefined, body: unknown = { name: 'a', size: 1 }, actor?: string) =>
  call('POST /things', {
    body,
    ...(key === undefined ? {} : { key }),
    ...(actor === undefined ? {} : { actor }),
  });

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, with no second effect', async () => {
    // Act
    const first = await create('k-1');
    const again = await create('k-1');

    // Assess
    expect(effects).toEqual(['create a']);
    expect(first.statusCode).toBe(201);
    expect(first.headers?.['idempotent-replayed']).toBeUndefined();
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers).toEqual({ ...first.headers, 'idempotent-replayed': 'true' });
    expect(again.headers?.location).toBe('/things/a');
  });

  it('treats bodies that differ only in key order as the same request', async () => {
    // Act
    await call('POST /things', { key: 'k-1', rawBody: '{"name":"a","size":1}' });
    const again = await call('POST /things', { key: 'k-1', rawBody: '{"size":1,"name":"a"}' });

    // Assess
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(effects).toHaveLength(1);
  });

  it('refuses the same key with a different body with 409 idempotency-key-reuse', async () => {
    // Prepare
    await create('k-1', { name: 'a', size: 1 });

    // Act
    const reused = await create('k-1', { name: 'a', size: 2 });

    // Assess
    expect(reused.statusCode).toBe(409);
    expect(reused.headers?.['content-type']).toBe('application/problem+json');
    expect(reused.json.type).toBe('urn:mlops:problem:idempotency-key-reuse');
    expect(effects).toEqual(['create a']);
  });

  it('runs ten concurrent requests with one key exactly once; the others replay or are told it is in progress', async () => {
    // Prepare
    gate = sleep(30);

    // Act
    const responses = await Promise.all(Array.from({ length: 10 }, () => create('k-1')));

    // Assess
    expect(effects).toEqual(['create a']);
    const outcomes = responses.map((r) =>
      r.statusCode === 201
        ? r.headers?.['idempotent-replayed'] === 'true'
          ? 'replayed'
          : 'ran'
        : `${r.statusCode} ${r.json.type}`,
    );
    expect(outcomes.filter((o) => o === 'ran')).toHaveLength(1);
    expect(
      outcomes.filter(
        (o) => o !== 'ran' && o !== 'replayed' && o !== '409 urn:mlops:problem:idempotency-key-in-progress',
      ),
    ).toEqual([]);
  });

  it('answers 409 idempotency-key-in-progress while the first request runs', async () => {
    // Prepare
    let open: () => void = () => {};
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const first = create('k-1');
    await sleep(5);

    // Act
    const second = await create('k-1');
    open();

    // Assess
    expect(second.statusCode).toBe(409);
    expect(second.json.type).toBe('urn:mlops:problem:idempotency-key-in-progress');
    expect((await first).statusCode).toBe(201);
    expect(effects).toEqual(['create a']);
  });

  it('lets a request take over a claim whose invocation outlived its lock, and keeps the newer response', async () => {
    // Prepare
    let open: () => void = () => {};
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const stuck = create('k-1');
    await sleep(5);
    gate = undefined;
    clock.advance(LOCK_MS + 1);

    // Act
    const takeover = await create('k-1');
    open();
    await stuck;
    const replay = await create('k-1');

    // Assess
    expect(takeover.statusCode).toBe(201);
    expect(takeover.headers?.['idempotent-replayed']).toBeUndefined();
    expect(replay.body).toBe(takeover.body);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
  });

  it('releases the key when the first request fails with a 5xx, so a retry runs', async () => {
    // Prepare
    failNext = new Error('store unavailable');
    const failed = await create('k-1');

    // Act
    const retried = await create('k-1');

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers?.['idempotent-replayed']).toBeUndefined();
    expect(effects).toEqual(['create a']);
  });

  it('releases the key when the first request answers a 4xx, so a retry runs', async () => {
    // Prepare
    failNext = { status: 422, body: { reason: 'not now' } };
    const refused = await create('k-1');

    // Act
    const retried = await create('k-1');

    // Assess
    expect(refused.statusCode).toBe(422);
    expect(retried.statusCode).toBe(201);
    expect(effects).toEqual(['create a']);
  });

  it('releases the key when the first request throws a refusal, so a retry runs', async () => {
    // Prepare
    failNext = new ConflictError('Thing a is locked.');
    const refused = await create('k-1');

    // Act
    const retried = await create('k-1');

    // Assess
    expect(refused.statusCode).toBe(409);
    expect(refused.json.type).toBe('urn:mlops:problem:conflict');
    expect(retried.statusCode).toBe(201);
    expect(effects).toEqual(['create a']);
  });

  it('claims nothing for a request that fails validation', async () => {
    // Prepare
    const invalid = await create('k-1', { name: '', size: 1 });

    // Act
    const corrected = await create('k-1', { name: 'a', size: 1 });

    // Assess
    expect(invalid.statusCode).toBe(400);
    expect(corrected.statusCode).toBe(201);
    expect(effects).toEqual(['create a']);
  });

  it('forgets a key after 24 hours, and not before', async () => {
    // Prepare
    await create('k-1', { name: 'a', size: 1 });
    clock.advance(24 * 3600 * 1000 - 1000);
    const beforeExpiry = await create('k-1', { name: 'b', size: 1 });
    clock.advance(2000);

    // Act
    const afterExpiry = await create('k-1', { name: 'b', size: 1 });

    // Assess
    expect(beforeExpiry.statusCode).toBe(409);
    expect(afterExpiry.statusCode).toBe(201);
    expect(afterExpiry.headers?.['idempotent-replayed']).toBeUndefined();
    expect(effects).toEqual(['create a', 'create b']);
  });

  it('scopes keys per caller and per route', async () => {
    // Act
    const alice = await create('k-1', { name: 'a', size: 1 }, 'alice');
    const bob = await create('k-1', { name: 'a', size: 1 }, 'bob');
    const put = await call('PUT /things/{name}', { key: 'k-1', params: { name: 'a' }, body: { size: 1 } });
    const putAgain = await call('PUT /things/{name}', {
      key: 'k-1',
      params: { name: 'a' },
      body: { size: 1 },
    });

    // Assess
    expect([alice, bob, put].map((r) => r.headers?.['idempotent-replayed'])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(putAgain.headers?.['idempotent-replayed']).toBe('true');
    expect(effects).toEqual(['create a', 'create a', 'put a']);
  });

  it('treats the same key on another resource path as another request', async () => {
    // Act
    await call('PUT /things/{name}', { key: 'k-1', params: { name: 'a' }, body: { size: 1 } });
    const other = await call('PUT /things/{name}', { key: 'k-1', params: { name: 'b' }, body: { size: 1 } });

    // Assess
    expect(other.statusCode).toBe(409);
    expect(other.json.type).toBe('urn:mlops:problem:idempotency-key-reuse');
  });

  it.each([
    ['too long', 'k'.repeat(256)],
    ['empty', ''],
    ['not ASCII', 'clé-1'],
    ['a control character', 'k\t1'],
  ])('refuses a key that is %s with 400 naming the header, and runs nothing', async (_, key) => {
    // Act
    const response = await create(key, { name: '', size: 1 });

    // Assess
    expect(response.statusCode).toBe(400);
    const fields = response.json.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(['body.name', 'headers.idempotency-key']);
    expect(effects).toEqual([]);
  });

  it('accepts a key of 255 printable characters', async () => {
    // Act
    const response = await create(`${'k'.repeat(127)} ${'k'.repeat(127)}`);

    // Assess
    expect(response.statusCode).toBe(201);
  });

  it('runs every request that carries no key', async () => {
    // Act
    await create(undefined);
    await create(undefined);

    // Assess
    expect(effects).toEqual(['create a', 'create a']);
  });

  it('ignores the header on GET routes and when the handler was built without idempotency', async () => {
    // Prepare
    const plain = handlerWith(false);

    // Act
    const get = await call('GET /things/{name}', { key: 'k'.repeat(300), params: { name: 'a' } });
    await call('POST /things', { key: 'k-1', body: { name: 'a', size: 1 }, via: plain });
    await call('POST /things', { key: 'k-1', body: { name: 'a', size: 1 }, via: plain });

    // Assess
    expect(get.statusCode).toBe(200);
    expect(effects).toEqual(['create a', 'create a']);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: undefined, c: { e: null, d: 'x' } })).toBe(
      '{"b":[{"x":2,"y":1}],"c":{"d":"x","e":null}}',
    );
  });
});
