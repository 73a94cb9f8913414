import { describe, expect, it } from 'vitest';
import { advanceDeployments } from '../../../lambdas/deployments/advance';
import { listHistory } from '../../../lambdas/registry/lineage';
import {
  type DeploymentsFixture,
  deploymentsFixture,
  flight,
  trainedModels,
} from '../../support/deployments';
import { sqliteStores } from '../../support/stores';

const MODEL = 'delays';

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
