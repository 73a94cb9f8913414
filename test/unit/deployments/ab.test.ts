import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../../lambdas/deployments/ab';
import { advanceDeployments } from '../../../lambdas/deployments/advance';
import { putLabels } from '../../../lambdas/monitoring/labels';
import { listHistory } from '../../../lambdas/registry/lineage';
import {
  type DeploymentsFixture,
  deploymentsFixture,
  flight,
  trainedModels,
} from '../../support/deployments';
import { seededRandom } from '../../support/random';
import { sqliteStores } from '../../support/stores';

const MODEL = 'delays';

describe('deployments: A/B with labels, SRM and the sequential test on the manual clock', () => {
  const fixture = deploymentsFixture(sqliteStores());

  /** Endpoint `ep` serving v1; v2 registered and approved. */
  const setUp = async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    const v2 = await f.version(MODEL, good);
    return { f, v2 };
  };

  const startAb = async (f: DeploymentsFixture, v2: number, extra: Record<string, unknown> = {}) => {
    const started = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: v2, strategy: 'ab', steps: [50], bakeSeconds: 60, ab: { metric: 'binary' }, ...extra },
    });
    expect(started.status, JSON.stringify(started.json)).toBe(202);
    return started.json.deploymentId as string;
  };

  /** n invocations keyed by user; returns the variant of each inference id. */
  const traffic = async (f: DeploymentsFixture, n: number, key: (i: number) => string, offset = 0) => {
    const assigned = new Map<string, string>();
    for (let i = offset; i < offset + n; i++) {
      const answer = await f.call('POST /endpoints/{name}/invocations', {
        params: { name: 'ep' },
        body: { features: flight(i), key: key(i), inferenceId: `inf-${i}` },
      });
      expect(answer.status).toBe(200);
      assigned.set(answer.json.inferenceId, answer.json.variant);
    }
    return assigned;
  };

  /** Posts a 0/1 label per inference: success with probability rate(variant). */
  const label = async (
    f: DeploymentsFixture,
    assigned: Map<string, string>,
    rate: (variant: string) => number,
    seed: number,
  ) => {
    const random = seededRandom(seed);
    const labels = [...assigned].map(([inferenceId, variant]) => ({
      inferenceId,
      label: random() < rate(variant) ? 1 : 0,
    }));
    for (let start = 0; start < labels.length; start += 1000) {
      await putLabels(f.deps, MODEL, { labels: labels.slice(start, start + 1000) });
    }
  };

  const get = async (f: DeploymentsFixture, path: string, id: string) =>
    (await f.call(path, { params: { name: 'ep', id } })).json;

  it('promotes B when its labels are clearly better: decision B, endpoint on v2, audited', async () => {
    const { f, v2 } = await setUp();
    const id = await startAb(f, v2);
    const assigned = await traffic(f, 400, (i) => `user-${i}`);
    await label(f, assigned, (variant) => (variant === 'v2' ? 0.85 : 0.5), 7);

    f.clock.advance(61_000);
    const outcomes = await advanceDeployments(f.deps);
    const deployment = await get(f, 'GET /endpoints/{name}/deployments/{id}', id);
    const experiment = await get(f, 'GET /endpoints/{name}/deployments/{id}/experiment', id);
    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;
    const audit = await listHistory(f.registry, MODEL, { limit: 50 });

    expect(outcomes).toEqual({ ep: 'promoted' });
    expect(deployment).toMatchObject({ status: 'SUCCEEDED', strategy: 'ab', decision: 'promoted' });
    expect(deployment.reason).toMatch(/^v2 wins: the sequential test/);
    expect(deployment.looks).toHaveLength(1);
    expect(experiment).toMatchObject({
      final: true,
      decision: 'B',
      winner: 'v2',
      metric: 'binary',
      weights: { v1: 50, v2: 50 },
      srm: { mismatch: false },
      sequential: { test: 'msprt-normal-mixture', rejected: true, looks: 1 },
      fixedHorizon: { test: 'two-proportion-z' },
    });
    const [a, b] = experiment.variants;
    expect(a).toMatchObject({ name: 'v1', version: 1 });
    expect(b).toMatchObject({ name: 'v2', version: v2 });
    expect(a.n + b.n).toBe(400);
    expect(a.assigned).toBe(a.n);
    expect(b.metric).toBeGreaterThan(a.metric + 0.2);
    expect(b.interval[0]).toBeLessThan(b.metric);
    expect(b.interval[1]).toBeGreaterThan(b.metric);
    expect(experiment.sequential.statistic).toBeGreaterThanOrEqual(20);
    expect(endpoint.variants).toEqual([expect.objectContaining({ name: 'v2', weight: 100 })]);
    expect(endpoint.status).toBe('InService');
    expect(JSON.stringify(audit)).toContain('"promoted"');
  });

  it('keeps production when A is clearly better: decision A, B removed, SUCCEEDED "kept production"', async () => {
    const { f, v2 } = await setUp();
    const id = await startAb(f, v2, { steps: [30] });
    const assigned = await traffic(f, 400, (i) => `user-${i}`);
    await label(f, assigned, (variant) => (variant === 'v2' ? 0.3 : 0.8), 12);

    f.clock.advance(61_000);
    const outcomes = await advanceDeployments(f.deps);
    const deployment = await get(f, 'GET /endpoints/{name}/deployments/{id}', id);
    const experiment = await get(f, 'GET /endpoints/{name}/deployments/{id}/experiment', id);
    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;

    expect(outcomes).toEqual({ ep: 'rolled-back' });
    expect(deployment).toMatchObject({ status: 'SUCCEEDED', decision: 'kept production' });
    expect(deployment.reason).toMatch(/^v1 wins/);
    expect(experiment).toMatchObject({ decision: 'A', winner: 'v1', weights: { v1: 70, v2: 30 } });
    expect(endpoint.variants).toEqual([expect.objectContaining({ name: 'v1', weight: 100 })]);
    expect(endpoint.history.at(-1)).toMatchObject({ action: 'rolled-back', version: 1, from: v2 });
  });

  it('keeps looking with equal variants: no-evidence-yet, IN_PROGRESS, one look per due tick with new data', async () => {
    const { f, v2 } = await setUp();
    const id = await startAb(f, v2);
    const assigned = await traffic(f, 300, (i) => `user-${i}`);
    await label(f, assigned, () => 0.6, 8);

    f.clock.advance(61_000);
    const first = await advanceDeployments(f.deps);
    const early = await advanceDeployments(f.deps);
    f.clock.advance(61_000);
    const more = await traffic(f, 100, (i) => `user-${i}`, 300);
    await label(f, more, () => 0.6, 9);
    const second = await advanceDeployments(f.deps);
    f.clock.advance(61_000);
    const unchanged = await advanceDeployments(f.deps);
    const deployment = await get(f, 'GET /endpoints/{name}/deployments/{id}', id);
    const experiment = await get(f, 'GET /endpoints/{name}/deployments/{id}/experiment', id);
    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;

    expect(first).toEqual({ ep: 'looked' });
    expect(early).toEqual({ ep: 'waiting' });
    expect(second).toEqual({ ep: 'looked' });
    expect(unchanged).toEqual({ ep: 'waiting' });
    expect(deployment.status).toBe('IN_PROGRESS');
    expect(deployment.looks.map((l: { decision: string }) => l.decision)).toEqual([
      'no-evidence-yet',
      'no-evidence-yet',
    ]);
    expect(experiment).toMatchObject({ final: false, decision: 'no-evidence-yet', winner: null });
    // The read is one look beyond the two recorded.
    expect(experiment.sequential.looks).toBe(3);
    expect(experiment.looks).toHaveLength(2);
    expect(experiment.variants[0].n + experiment.variants[1].n).toBe(400);
    expect(endpoint.variants.map((v: { name: string; weight: number }) => [v.name, v.weight])).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
  });

  it('stops on a broken split (invalid-srm): FAILED with the reason, v1 back at 100 %', async () => {
    const { f, v2 } = await setUp();
    const id = await startAb(f, v2);
    // One key for every request: sticky assignment sends it all to one variant.
    const assigned = await traffic(f, 200, () => 'the-same-user');
    await label(f, assigned, () => 0.5, 10);

    f.clock.advance(61_000);
    const outcomes = await advanceDeployments(f.deps);
    const deployment = await get(f, 'GET /endpoints/{name}/deployments/{id}', id);
    const experiment = await get(f, 'GET /endpoints/{name}/deployments/{id}/experiment', id);
    const endpoint = (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json;

    expect(new Set(assigned.values()).size).toBe(1);
    expect(outcomes).toEqual({ ep: 'stopped' });
    expect(deployment).toMatchObject({ status: 'FAILED', decision: 'stopped' });
    expect(deployment.reason).toMatch(/^sample-ratio mismatch/);
    expect(experiment).toMatchObject({ final: true, decision: 'invalid-srm', srm: { mismatch: true } });
    expect(experiment.srm.pValue).toBeLessThan(0.001);
    expect(endpoint.variants).toEqual([expect.objectContaining({ name: 'v1', weight: 100 })]);
  });

  it('joins only usable labels and stops recording assignments after a rollback', async () => {
    const { f, v2 } = await setUp();
    const id = await startAb(f, v2, { ab: { metric: 'continuous', minimumDetectableEffect: 1 } });
    const assigned = await traffic(f, 20, (i) => `user-${i}`);
    await putLabels(f.deps, MODEL, {
      labels: [...assigned.keys()].map((inferenceId, i) => ({
        inferenceId,
        label: i % 4 === 0 ? 'n/a' : String(i),
      })),
    });
    await f.deps.recorder.flush();

    const experiment = await get(f, 'GET /endpoints/{name}/deployments/{id}/experiment', id);
    await f.call('POST /endpoints/{name}/rollback', { params: { name: 'ep' }, body: {} });
    await traffic(f, 10, (i) => `user-${i}`, 100);
    await f.deps.recorder.flush();
    const after = await get(f, 'GET /endpoints/{name}/deployments/{id}/experiment', id);

    expect(experiment.metric).toBe('continuous');
    expect(experiment.variants[0].assigned + experiment.variants[1].assigned).toBe(20);
    expect(experiment.variants[0].n + experiment.variants[1].n).toBe(15);
    expect(after.status).toBe('ROLLED_BACK');
    expect(after.variants[0].assigned + after.variants[1].assigned).toBe(20);
    expect(outcomeOf('binary', true)).toBe(1);
    expect(outcomeOf('binary', '0')).toBe(0);
    expect(outcomeOf('binary', 2)).toBeUndefined();
    expect(outcomeOf('continuous', '2.5')).toBe(2.5);
    expect(outcomeOf('continuous', '')).toBeUndefined();
  });

  it('refuses bad A/B input with 400 naming the field, storing nothing', async () => {
    const { f, v2 } = await setUp();
    const canary = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: v2, strategy: 'canary', guards: { maxErrorRate: 0.1 } },
    });
    const id = canary.json.deploymentId as string;
    const before = f.store.committed.length;
    const post = (body: Record<string, unknown>) =>
      f.call('POST /endpoints/{name}/deployments', {
        params: { name: 'ep' },
        body: { version: v2, strategy: 'ab', ...body },
      });

    const missing = await post({});
    const metric = await post({ ab: { metric: 'accuracy' } });
    const mde = await post({ ab: { metric: 'continuous' } });
    const steps = await post({ ab: { metric: 'binary' }, steps: [50, 80] });
    const guards = await post({ ab: { metric: 'binary' }, guards: { maxErrorRate: 0.1 } });
    const notAb = await f.call('POST /endpoints/{name}/deployments', {
      params: { name: 'ep' },
      body: { version: v2, strategy: 'linear', ab: { metric: 'binary' }, guards: { maxErrorRate: 0.1 } },
    });
    const noExperiment = await f.call('GET /endpoints/{name}/deployments/{id}/experiment', {
      params: { name: 'ep', id },
    });

    const fields = (r: { json: { errors: { field: string }[] } }) => r.json.errors.map((e) => e.field);
    expect(missing.status).toBe(400);
    expect(fields(missing)).toEqual(['body.ab']);
    expect(fields(metric)).toEqual(['body.ab.metric']);
    expect(fields(mde)).toEqual(['body.ab.minimumDetectableEffect']);
    expect(fields(steps)).toEqual(['body.steps']);
    expect(fields(guards)).toEqual(['body.guards']);
    expect(fields(notAb)).toEqual(['body.ab']);
    expect(noExperiment.status).toBe(404);
    expect(f.store.committed.length).toBe(before);
  });
});
