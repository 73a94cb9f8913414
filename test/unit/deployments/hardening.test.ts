import { describe, expect, it } from 'vitest';
import { advanceDeployments, NO_TRAFFIC_REASON } from '../../../lambdas/deployments/advance';
import {
  type DeploymentsFixture,
  deploymentsFixture,
  flight,
  trainedModels,
  trainedNarrowModel,
} from '../../support/deployments';
import { sqliteStores } from '../../support/stores';

const MODEL = 'delays';

const traffic = async (f: DeploymentsFixture, n: number, offset = 0) => {
  const variants: string[] = [];
  for (let i = offset; i < offset + n; i++) {
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

const endpoint = async (f: DeploymentsFixture) =>
  (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;

describe('deployments: evidence for the new version', () => {
  const fixture = deploymentsFixture(sqliteStores());

  const setUp = async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    return f;
  };

  const start = async (f: DeploymentsFixture, body: object) => {
    const started = await f.call('POST /endpoints/{name}/deployments', { params: { name: 'ep' }, body });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    return started.json.deploymentId as string;
  };

  it('counts requests a canary cannot encode as its errors and rolls it back', async () => {
    const f = await setUp();
    const v2 = await f.version(MODEL, await trainedNarrowModel());
    const id = await start(f, {
      version: v2,
      strategy: 'canary',
      steps: [50],
      bakeSeconds: 60,
      guards: { maxErrorRate: 0.05 },
    });

    const served = await traffic(f, 40);
    f.clock.advance(60_000);
    const outcome = await advanceDeployments(f.deps);
    const record = await deployment(f, id);

    expect(served.filter((v) => v === 'error 400').length).toBeGreaterThan(0);
    expect(outcome).toEqual({ ep: 'rolled-back' });
    expect(record.status).toBe('ROLLED_BACK');
    expect(record.phases[0].evaluation).toMatchObject({
      errorRate: 1,
      failed: [{ guard: 'maxErrorRate', observed: 1 }],
    });
    expect(record.phases[0].evaluation.requests).toBe(served.filter((v) => v === 'error 400').length);
    expect((await endpoint(f)).variants).toEqual([
      { name: 'v1', model: MODEL, version: 1, weight: 100, role: 'production' },
    ]);
  });

  it('counts a shadow that cannot encode the mirrored requests as failing', async () => {
    const f = await setUp();
    const v2 = await f.version(MODEL, await trainedNarrowModel(), false);
    const id = await start(f, {
      version: v2,
      strategy: 'shadow',
      bakeSeconds: 60,
      guards: { maxErrorRate: 0.05 },
    });

    const served = await traffic(f, 20);
    f.clock.advance(60_000);
    const outcome = await advanceDeployments(f.deps);
    const record = await deployment(f, id);

    expect(served.every((v) => v === 'v1')).toBe(true);
    expect(outcome).toEqual({ ep: 'rolled-back' });
    expect(record.phases[0].evaluation).toMatchObject({ requests: 20, errors: 20, passed: false });
  });

  it('refuses a request no version can encode without counting it against the canary', async () => {
    const f = await setUp();
    const { good } = await trainedModels();
    const v2 = await f.version(MODEL, good);
    await start(f, {
      version: v2,
      strategy: 'canary',
      steps: [100],
      bakeSeconds: 60,
      guards: { maxErrorRate: 0 },
    });

    for (let i = 0; i < 10; i++) {
      const refused = await f.call('POST /endpoints/{name}/invocations', {
        params: { name: 'ep' },
        body: { features: { ...flight(i), x: 1 } },
      });
      expect(refused.status).toBe(400);
    }
    await f.deps.recorder.flush();
    await traffic(f, 20);
    f.clock.advance(60_000);

    expect(await advanceDeployments(f.deps)).toEqual({ ep: 'promoted' });
  });

  it('keeps a canary without evidence baking, promotes it once traffic passes its guards', async () => {
    const f = await setUp();
    const { good } = await trainedModels();
    const v2 = await f.version(MODEL, good);
    const id = await start(f, {
      version: v2,
      strategy: 'canary',
      steps: [100],
      bakeSeconds: 60,
      guards: { maxErrorRate: 0.05 },
    });

    f.clock.advance(60_000);
    const idle = await advanceDeployments(f.deps);
    const during = await deployment(f, id);
    await traffic(f, 20);
    f.clock.advance(10_000);
    const promoted = await advanceDeployments(f.deps);
    const record = await deployment(f, id);

    expect(idle).toEqual({ ep: 'waiting' });
    expect(during).toMatchObject({ status: 'IN_PROGRESS' });
    expect(during.phases).toHaveLength(1);
    expect(promoted).toEqual({ ep: 'promoted' });
    expect(record.phases[0].evaluation.requests).toBeGreaterThan(0);
    expect(record.phases[0].evaluation.passed).toBe(true);
  });

  it('ends a canary FAILED with "no traffic reached the new version" after its extensions, production back', async () => {
    const f = await setUp();
    const { good } = await trainedModels();
    const v2 = await f.version(MODEL, good);
    const id = await start(f, {
      version: v2,
      strategy: 'canary',
      steps: [50],
      bakeSeconds: 60,
      guards: { maxErrorRate: 0.05 },
    });

    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      f.clock.advance(60_000);
      outcomes.push(await advanceDeployments(f.deps));
    }
    const record = await deployment(f, id);

    expect(outcomes).toEqual([
      { ep: 'waiting' },
      { ep: 'waiting' },
      { ep: 'waiting' },
      { ep: 'rolled-back' },
    ]);
    expect(record).toMatchObject({ status: 'FAILED', reason: NO_TRAFFIC_REASON });
    expect(record.reason).toBe('no traffic reached the new version');
    expect((await endpoint(f)).variants).toEqual([
      { name: 'v1', model: MODEL, version: 1, weight: 100, role: 'production' },
    ]);
  });

  it('does not end a shadow on 0 mirrored requests', async () => {
    const f = await setUp();
    const { good } = await trainedModels();
    const v2 = await f.version(MODEL, good, false);
    const id = await start(f, {
      version: v2,
      strategy: 'shadow',
      bakeSeconds: 60,
      guards: { maxDisagreement: 0.5 },
    });

    f.clock.advance(60_000);
    const idle = await advanceDeployments(f.deps);
    f.clock.advance(3 * 60_000);
    const last = await advanceDeployments(f.deps);
    const record = await deployment(f, id);

    expect(idle).toEqual({ ep: 'waiting' });
    expect(last).toEqual({ ep: 'rolled-back' });
    expect(record).toMatchObject({ status: 'FAILED', reason: NO_TRAFFIC_REASON });
  });
});

describe('deployments: disagreement against the replaced version', () => {
  const fixture = deploymentsFixture(sqliteStores());

  for (const steps of [[60], [100]]) {
    it(`rolls back a disagreeing canary at steps [${steps}]`, async () => {
      const f = fixture();
      const { good, bad } = await trainedModels();
      await f.version(MODEL, good);
      await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
      const v2 = await f.version(MODEL, bad);
      const started = await f.call('POST /endpoints/{name}/deployments', {
        params: { name: 'ep' },
        body: { version: v2, strategy: 'canary', steps, bakeSeconds: 60, guards: { maxDisagreement: 0.2 } },
      });

      const served = await traffic(f, 40);
      f.clock.advance(60_000);
      const outcome = await advanceDeployments(f.deps);
      const record = await deployment(f, started.json.deploymentId);

      expect(outcome).toEqual({ ep: 'rolled-back' });
      expect(record.status).toBe('ROLLED_BACK');
      expect(record.phases[0].evaluation.compared).toBe(served.filter((v) => v === 'v2').length);
      expect(record.phases[0].evaluation.failed).toEqual([
        expect.objectContaining({ guard: 'maxDisagreement', limit: 0.2 }),
      ]);
    });
  }
});

describe('deployments: guards evaluated here', () => {
  const fixture = deploymentsFixture(sqliteStores());

  it('refuses a canary guarded only by alarms or maxPredictionDrift (400 naming body.guards), storing nothing', async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    const v2 = await f.version(MODEL, good);
    const before = f.store.committed.length;

    const answers = await Promise.all(
      [{ alarms: ['ep-5xx'] }, { maxPredictionDrift: 0.1 }].map((guards) =>
        f.call('POST /endpoints/{name}/deployments', {
          params: { name: 'ep' },
          body: { version: v2, strategy: 'canary', guards },
        }),
      ),
    );

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.json.errors).toEqual([
        expect.objectContaining({
          field: 'body.guards',
          rule: 'not_evaluated',
          message: expect.stringContaining('maxErrorRate, maxLatencyP99Ms, maxDisagreement'),
        }),
      ]);
    }
    expect(f.store.committed.length).toBe(before);
    expect((await endpoint(f)).activeDeployment).toBeUndefined();
  });
});

describe('deployments: rollback races and endpoint names', () => {
  const fixture = deploymentsFixture(sqliteStores());

  /** An endpoint whose production history is 1, 2, 1, 2 (serving 2, previous versions [1, 2, 1]). */
  const flipped = async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    for (const version of [2, 1, 2]) {
      const done = await f.call('POST /endpoints/{name}/deployments', {
        params: { name: 'ep' },
        body: { version, strategy: 'all-at-once' },
      });
      expect(done.status).toBe(202);
    }
    return f;
  };

  it('lets exactly one of 10 concurrent rollbacks win on history [1, 2, 1, 2]', async () => {
    const f = await flipped();

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        f.call('POST /endpoints/{name}/rollback', { params: { name: 'ep' }, body: {} }),
      ),
    );
    const after = await endpoint(f);

    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array(9).fill(409)]);
    expect(answers.find((a) => a.status === 409)!.json.detail).toMatch(/changed.*read it and try again/);
    expect(after.history.filter((h: { action: string }) => h.action === 'rollback')).toHaveLength(1);
    expect(after.variants[0].version).toBe(1);
  });

  it('refuses a rollback whose fromVersion is no longer what it would replace (409), writing nothing', async () => {
    const f = await flipped();
    const first = await f.call('POST /endpoints/{name}/rollback', {
      params: { name: 'ep' },
      body: { fromVersion: 2 },
    });
    const before = f.store.committed.length;

    const stale = await f.call('POST /endpoints/{name}/rollback', {
      params: { name: 'ep' },
      body: { fromVersion: 2 },
    });

    expect(first.status).toBe(200);
    expect(first.json.history.at(-1)).toMatchObject({ action: 'rollback', version: 1, from: 2 });
    expect(stale.status).toBe(409);
    expect(f.store.committed.length).toBe(before);
    expect((await endpoint(f)).variants[0].version).toBe(1);
  });

  it('refuses a name longer than 63 characters (400) and one equal to another but for case (409)', async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    const create = (name: string) => f.call('POST /endpoints', { body: { name, model: MODEL, version: 1 } });

    const longest = await create(`a${'-b'.repeat(31)}`);
    const tooLong = await create(`a${'-b'.repeat(32)}`);
    const tooLongPlain = await create('a'.repeat(64));
    const first = await create('Churn-EP');
    const before = f.store.committed.length;
    const cased = await create('churn-ep');

    expect(longest.status, JSON.stringify(longest.json)).toBe(202);
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'body.name' })]),
    );
    expect(tooLongPlain.status).toBe(400);
    expect(first.status).toBe(202);
    expect(cased.status).toBe(409);
    expect(f.store.committed.length).toBe(before);
    await f.call('DELETE /endpoints/{name}', { params: { name: 'Churn-EP' } });
    expect((await create('churn-ep')).status).toBe(202);
  });
});
