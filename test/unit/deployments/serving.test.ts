import { describe, expect, it } from 'vitest';
import { advanceDeployments } from '../../../lambdas/deployments/deployments';
import { defaultCapturePrefix, parseCaptures } from '../../../lambdas/monitoring/captures';
import { listHistory } from '../../../lambdas/registry/lineage';
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

describe('deployments: canary, linear and guards on the manual clock', () => {
  const fixture = deploymentsFixture(sqliteStores());

  const setUp = async () => {
    const f = fixture();
    const { good, bad } = await trainedModels();
    await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    return { f, good, bad };
  };

  const traffic = async (f: DeploymentsFixture, n: number) => {
    const variants: string[] = [];
    for (let i = 0; i < n; i++) {
      const answer = await f.call('POST /endpoints/{name}/invocations', {
        params: { name: 'ep' },
        body: { features: flight(i) },
      });
      variants.push(answer.status === 200 ? answer.json.variant : `error ${answer.status}`);
    }
    return variants;
  };

  const deployment = async (f: DeploymentsFixture, id: string) =>
    (await f.call('GET /endpoints/{name}/deployments/{id}', { params: { name: 'ep', id } })).json;

  it('moves a linear deployment step by step after each bake, then promotes it, audited in the registry', async () => {
    const { f, good } = await setUp();
    const v2 = await f.version(MODEL, good);
    const started = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: {
        version: v2,
        strategy: 'linear',
        steps: [20, 60],
        bakeSeconds: 120,
        guards: { maxErrorRate: 0.05 },
      },
    });
    const id = started.json.deploymentId;
    expect(started.status).toBe(202);

    await traffic(f, 20);
    f.clock.advance(119_000);
    const early = await advanceDeployments(f.deps);
    f.clock.advance(1_000);
    const first = await advanceDeployments(f.deps);
    const middle = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;
    // Every phase needs traffic on the new version: guards passing on no evidence do not promote.
    await traffic(f, 20);
    f.clock.advance(120_000);
    await advanceDeployments(f.deps);
    await traffic(f, 20);
    f.clock.advance(120_000);
    const last = await advanceDeployments(f.deps);
    const done = await deployment(f, id);
    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;
    const audit = await listHistory(f.registry, MODEL, { limit: 20 });

    expect(early).toEqual({ ep: 'waiting' });
    expect(first).toEqual({ ep: 'next-phase' });
    expect(middle.variants.map((v: { name: string; weight: number }) => [v.name, v.weight])).toEqual([
      ['v1', 40],
      ['v2', 60],
    ]);
    expect(last).toEqual({ ep: 'promoted' });
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      decision: 'promoted',
      strategy: 'linear',
      from: 1,
      version: 2,
    });
    expect(done.phases.map((p: { weights: object }) => p.weights)).toEqual([
      { v1: 80, v2: 20 },
      { v1: 40, v2: 60 },
      { v2: 100 },
    ]);
    expect(done.phases[0].evaluation).toMatchObject({ passed: true, variant: 'v2', errors: 0 });
    expect(done.phases[0].endedAt).toBe('2026-11-28T10:02:00.000Z');
    expect(endpoint.variants).toEqual([
      { name: 'v2', model: MODEL, version: 2, weight: 100, role: 'production' },
    ]);
    expect(endpoint.status).toBe('InService');
    const kinds = audit.items.filter((e) => e.kind === 'deployment').map((e) => [e.action, e.version]);
    expect(kinds).toEqual([
      ['promoted', 2],
      ['started', 2],
      ['promoted', 1],
    ]);
  });

  it('rolls a canary whose answers disagree with production back after its bake, naming the guard and its figures', async () => {
    const { f, bad } = await setUp();
    const v2 = await f.version(MODEL, bad);
    const { deploymentId } = (
      await f.call('POST /endpoints/{name}/deployments', {
        params: { name: 'ep' },
        body: {
          version: v2,
          strategy: 'canary',
          steps: [20],
          bakeSeconds: 60,
          guards: { maxDisagreement: 0.2 },
        },
      })
    ).json;

    const served = await traffic(f, 100);
    f.clock.advance(60_000);
    const outcome = await advanceDeployments(f.deps);
    const after = await traffic(f, 10);
    const record = await deployment(f, deploymentId);
    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;

    expect(served.filter((v) => v === 'v2').length).toBeLessThan(35);
    expect(outcome).toEqual({ ep: 'rolled-back' });
    expect(record.status).toBe('ROLLED_BACK');
    expect(record.reason).toMatch(
      /guard maxDisagreement failed on variant v2: observed (1|0\.\d+) > limit 0\.2/,
    );
    expect(record.phases[0].evaluation).toMatchObject({
      passed: false,
      failed: [{ guard: 'maxDisagreement', limit: 0.2 }],
    });
    expect(record.phases[0].evaluation.compared).toBe(served.filter((v) => v === 'v2').length);
    expect(endpoint.variants).toEqual([
      { name: 'v1', model: MODEL, version: 1, weight: 100, role: 'production' },
    ]);
    expect(endpoint.history.at(-1)).toMatchObject({
      action: 'rolled-back',
      actor: 'deployment-guard',
      version: 1,
      from: 2,
    });
    expect(after.every((v) => v === 'v1')).toBe(true);
  });

  it('rolls back a canary whose error rate exceeds its guard', async () => {
    const { f, good } = await setUp();
    const v2 = await f.version(MODEL, good);
    f.host.failing.add(v2);
    const { deploymentId } = (
      await f.call('POST /endpoints/{name}/deployments', {
        params: { name: 'ep' },
        body: {
          version: v2,
          strategy: 'canary',
          steps: [50],
          bakeSeconds: 30,
          guards: { maxErrorRate: 0.01 },
        },
      })
    ).json;

    const served = await traffic(f, 40);
    f.clock.advance(30_000);
    await advanceDeployments(f.deps);
    const record = await deployment(f, deploymentId);

    expect(served.filter((v) => v === 'error 500').length).toBeGreaterThan(0);
    expect(record.status).toBe('ROLLED_BACK');
    expect(record.phases[0].evaluation).toMatchObject({
      errorRate: 1,
      failed: [{ guard: 'maxErrorRate', observed: 1 }],
    });
  });

  it('runs a version that is not Approved as a shadow: mirrored, captured, compared, never returned', async () => {
    const { f, bad } = await setUp();
    const pending = await f.version(MODEL, bad, false);
    const started = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: {
        version: pending,
        strategy: 'shadow',
        shadowPercent: 50,
        bakeSeconds: 60,
        guards: { maxDisagreement: 0.5 },
      },
    });

    const served = await traffic(f, 60);
    await f.deps.recorder.flush();
    f.clock.advance(60_000);
    const outcome = await advanceDeployments(f.deps);
    const record = await deployment(f, started.json.deploymentId);

    expect(started.status).toBe(202);
    expect(served.every((v) => v === 'v1')).toBe(true);
    expect(outcome).toEqual({ ep: 'rolled-back' });
    expect(record.phases[0].evaluation.compared).toBeGreaterThan(15);
    expect(record.phases[0].evaluation.compared).toBeLessThan(45);
  });
});

describe('deployments: instant rollback and concurrency', () => {
  const fixture = deploymentsFixture(sqliteStores());

  const promoted = async () => {
    const f = fixture();
    const { good, bad } = await trainedModels();
    await f.version(MODEL, good);
    const v2 = await f.version(MODEL, bad);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: v2, strategy: 'all-at-once' },
    });
    return f;
  };

  const invoke = (f: DeploymentsFixture) =>
    f.call('POST /endpoints/{name}/invocations', { params: { name: 'ep' }, body: { features: flight(1) } });

  it('rolls back to the previous production version for the very next request, audited with who, when and why', async () => {
    const f = await promoted();
    const before = await invoke(f);
    f.clock.advance(5_000);

    const rollback = await f.call('POST /endpoints/{name}/rollback', {
      params: { name: 'ep' },
      body: { reason: 'complaints' },
      actor: 'bob',
    });
    const after = await invoke(f);
    const audit = await listHistory(f.registry, MODEL, { limit: 1 });

    expect(before.json.version).toBe(2);
    expect(rollback.status).toBe(200);
    expect(rollback.json.variants).toEqual([
      { name: 'v1', model: MODEL, version: 1, weight: 100, role: 'production' },
    ]);
    expect(rollback.json.history.at(-1)).toEqual({
      at: '2026-11-28T10:00:05.000Z',
      actor: 'bob',
      action: 'rollback',
      version: 1,
      from: 2,
      reason: 'complaints',
    });
    expect(after.json).toMatchObject({ version: 1, variant: 'v1' });
    expect(audit.items[0]).toMatchObject({
      kind: 'deployment',
      action: 'rollback',
      actor: 'bob',
      version: 1,
      from: 2,
    });
  });

  it('refuses a rollback with nothing to go back to (409)', async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });

    const rollback = await f.call('POST /endpoints/{name}/rollback', { params: { name: 'ep' }, body: {} });

    expect(rollback.status).toBe(409);
  });

  it('lets exactly one of concurrent rollbacks win', async () => {
    const f = await promoted();

    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        f.call('POST /endpoints/{name}/rollback', { params: { name: 'ep' }, body: {} }),
      ),
    );
    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect(endpoint.history.filter((h: { action: string }) => h.action === 'rollback')).toHaveLength(1);
    expect(endpoint.variants[0].version).toBe(1);
  });

  it('lets exactly one of concurrent deployments start', async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    const v2 = await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });

    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        f.call('POST /endpoints/{name}/deployments', {
          params: { name: 'ep' },
          body: { version: v2, strategy: 'canary', bakeSeconds: 60, guards: { maxErrorRate: 0.1 } },
        }),
      ),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([202, 409, 409, 409, 409]);
  });

  it('stops an active canary on rollback: old version at 100 %, deployment ROLLED_BACK', async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    const v2 = await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    const { deploymentId } = (
      await f.call('POST /endpoints/{name}/deployments', {
        params: { name: 'ep' },
        body: { version: v2, strategy: 'canary', bakeSeconds: 60, guards: { maxErrorRate: 0.1 } },
      })
    ).json;

    const rollback = await f.call('POST /endpoints/{name}/rollback', { params: { name: 'ep' }, body: {} });
    const record = (
      await f.call('GET /endpoints/{name}/deployments/{id}', { params: { name: 'ep', id: deploymentId } })
    ).json;
    f.clock.advance(60_000);
    const tick = await advanceDeployments(f.deps);

    expect(rollback.json.variants).toEqual([
      { name: 'v1', model: MODEL, version: 1, weight: 100, role: 'production' },
    ]);
    expect(rollback.json.status).toBe('InService');
    expect(record.status).toBe('ROLLED_BACK');
    expect(tick).toEqual({});
  });
});
