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
