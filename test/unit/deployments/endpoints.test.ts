import { describe, expect, it } from 'vitest';
import { defaultCapturePrefix, parseCaptures } from '../../../lambdas/monitoring/captures';
import {
  type DeploymentsFixture,
  deploymentsFixture,
  flight,
  trainedModels,
} from '../../support/deployments';
import { sqliteStores } from '../../support/stores';

const MODEL = 'delays';

describe('deployments: endpoints, invocations, captures', () => {
  const fixture = deploymentsFixture(sqliteStores());

  /** An endpoint `ep` serving an approved good model as version 1. */
  const withEndpoint = async (): Promise<DeploymentsFixture> => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    const created = await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    return f;
  };

  const captured = async (f: DeploymentsFixture) => {
    await f.deps.recorder.flush();
    const page = await f.objects.list(defaultCapturePrefix(MODEL));
    const records = [];
    for (const item of page.items) {
      if (!item.key.endsWith('.jsonl')) continue;
      const object = await f.objects.get(item.key);
      records.push(...parseCaptures(object!.body).records.map((r) => ({ ...r, key: item.key })));
    }
    return records;
  };

  it('creates an endpoint serving one approved version at 100 %, with a finished deployment', async () => {
    const f = await withEndpoint();

    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;
    const list = (await f.call('GET /endpoints')).json;

    expect(endpoint).toMatchObject({
      name: 'ep',
      status: 'InService',
      variants: [{ name: 'v1', model: MODEL, version: 1, weight: 100, role: 'production' }],
      history: [{ action: 'created', version: 1, actor: 'alice' }],
    });
    expect(list.items.map((e: { name: string }) => e.name)).toEqual(['ep']);
  });

  it('answers an invocation with prediction, model, version, variant and inferenceId, and captures it where monitors read', async () => {
    const f = await withEndpoint();

    const answer = await f.call('POST /endpoints/{name}/invocations', {
      params: { name: 'ep' },
      body: { features: flight(1), inferenceId: 'req-1' },
    });
    const captures = await captured(f);

    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
    expect(answer.json).toMatchObject({ model: MODEL, version: 1, variant: 'v1', inferenceId: 'req-1' });
    expect(answer.json.prediction).toBeGreaterThanOrEqual(0);
    expect(answer.json.prediction).toBeLessThanOrEqual(1);
    expect(captures).toHaveLength(1);
    expect(captures[0]).toMatchObject({
      inferenceId: 'req-1',
      model: MODEL,
      version: 1,
      variant: 'v1',
      features: flight(1),
      prediction: answer.json.prediction,
      timestamp: '2026-11-28T10:00:00.000Z',
    });
    expect(captures[0]!.key).toMatch(/^captures\/delays\/2026\/11\/28\/10\/[0-9A-Z]{26}\.jsonl$/);
  });

  it('scores instances in signature order the same as named features', async () => {
    const f = await withEndpoint();
    const row = flight(2);

    const named = await f.call('POST /endpoints/{name}/invocations', {
      params: { name: 'ep' },
      body: { features: row },
    });
    const ordered = await f.call('POST /endpoints/{name}/invocations', {
      params: { name: 'ep' },
      body: { instances: [[row.distance, row.hour, row.origin, row.weekend, row.noise]] },
    });

    expect(ordered.status).toBe(200);
    expect(ordered.json.predictions).toEqual([named.json.prediction]);
  });

  it('refuses an unknown endpoint (404) and an unknown feature (400 naming body.features.x), storing nothing', async () => {
    const f = await withEndpoint();
    const before = f.store.committed.length;

    const missing = await f.call('POST /endpoints/{name}/invocations', {
      params: { name: 'nope' },
      body: { features: flight(1) },
    });
    const unknown = await f.call('POST /endpoints/{name}/invocations', {
      params: { name: 'ep' },
      body: { features: { ...flight(1), x: 3 } },
    });
    const wrongType = await f.call('POST /endpoints/{name}/invocations', {
      params: { name: 'ep' },
      body: { features: { ...flight(1), distance: 'far' } },
    });

    expect(missing.status).toBe(404);
    expect(missing.contentType).toBe('application/problem+json');
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors).toEqual([
      expect.objectContaining({ field: 'body.features.x', rule: 'unknown_feature' }),
    ]);
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.errors).toEqual([expect.objectContaining({ field: 'body.features.distance' })]);
    expect(await captured(f)).toEqual([]);
    expect(f.store.committed.length).toBe(before);
  });

  it('refuses production traffic to a version that is not Approved (409 with the reason), storing nothing', async () => {
    const f = await withEndpoint();
    const { good } = await trainedModels();
    const pending = await f.version(MODEL, good, false);
    const before = f.store.committed.length;

    const create = await f.call('POST /endpoints', { body: { name: 'ep2', model: MODEL, version: pending } });
    const canary = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: pending, strategy: 'canary', guards: { maxErrorRate: 0.1 } },
    });

    expect(create.status).toBe(409);
    expect(create.json.detail).toMatch(/PendingApproval.*only an Approved version takes production traffic/);
    expect(canary.status).toBe(409);
    expect(f.store.committed.length).toBe(before);
    expect((await f.call('GET /endpoints/{name}', { params: { name: 'ep2' } })).status).toBe(404);
  });

  it('refuses a canary without guards (400) and an endpoint name that exists (409)', async () => {
    const f = await withEndpoint();
    const { good } = await trainedModels();
    const v2 = await f.version(MODEL, good);

    const unguarded = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: v2, strategy: 'canary' },
    });
    const again = await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });

    expect(unguarded.status).toBe(400);
    expect(unguarded.json.errors).toEqual([
      expect.objectContaining({ field: 'body.guards', rule: 'required' }),
    ]);
    expect(again.status).toBe(409);
  });

  it('refuses A/B with an unknown metric with 400 and answers 404 for an unknown deployment, storing nothing', async () => {
    const f = await withEndpoint();
    const { good } = await trainedModels();
    const v2 = await f.version(MODEL, good);
    const before = f.store.committed.length;

    const ab = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: v2, strategy: 'ab', ab: { metric: 'accuracy' } },
    });
    const unknown = await f.call('GET /endpoints/{name}/deployments/{id}', {
      params: { name: 'ep', id: '01KBZZZZZZZZZZZZZZZZZZZZZZ' },
    });
    const noEndpoint = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'nope' },
      body: { version: v2, strategy: 'all-at-once' },
    });

    expect(ab.status).toBe(400);
    expect(ab.json.errors).toEqual([expect.objectContaining({ field: 'body.ab.metric' })]);
    expect(unknown.status).toBe(404);
    expect(noEndpoint.status).toBe(404);
    expect(f.store.committed.length).toBe(before);
  });

  it('deletes an endpoint: gone from reads, lists and invocations', async () => {
    const f = await withEndpoint();

    const deleted = await f.call('DELETE /endpoints/{name}', { params: { name: 'ep' } });
    const read = await f.call('GET /endpoints/{name}', { params: { name: 'ep' } });
    const list = await f.call('GET /endpoints');
    const invoked = await f.call('POST /endpoints/{name}/invocations', {
      params: { name: 'ep' },
      body: { features: flight(1) },
    });

    expect(deleted.status).toBe(204);
    expect(read.status).toBe(404);
    expect(list.json.items).toEqual([]);
    expect(invoked.status).toBe(404);
  });

  it('routes by weight, and the same key always to the same variant', async () => {
    const f = await withEndpoint();
    const { good } = await trainedModels();
    const v2 = await f.version(MODEL, good);
    await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: v2, strategy: 'canary', steps: [30], bakeSeconds: 60, guards: { maxErrorRate: 0.5 } },
    });

    const variants: string[] = [];
    for (let i = 0; i < 200; i++) {
      const answer = await f.call('POST /endpoints/{name}/invocations', {
        params: { name: 'ep' },
        body: { features: flight(i) },
      });
      variants.push(answer.json.variant);
    }
    const sticky = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const answer = await f.call('POST /endpoints/{name}/invocations', {
        params: { name: 'ep' },
        body: { features: flight(i), key: 'customer-42' },
      });
      sticky.add(answer.json.variant);
    }

    const share = variants.filter((v) => v === 'v2').length / variants.length;
    expect(share).toBeGreaterThan(0.18);
    expect(share).toBeLessThan(0.42);
    expect(sticky.size).toBe(1);
  });
});
