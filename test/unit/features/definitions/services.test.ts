import { describe, expect, it } from 'vitest';
import { type FeaturesFixture, featuresFixture, groupBody, record } from '../../../support/features';
import { sqliteStores } from '../../../support/stores';

describe('features: feature services', () => {
  const sqlite = sqliteStores();
  const setup = async (): Promise<FeaturesFixture> => {
    const fixture = featuresFixture(sqlite);
    await fixture.call('POST /feature-groups', { body: groupBody() });
    return fixture;
  };
  const apply = (f: FeaturesFixture, body: Record<string, unknown>) =>
    f.call('POST /feature-services', { body });
  const service = {
    name: 'fraud',
    features: ['customer:spend', 'customer:orders'],
    description: 'fraud model inputs',
  };

  it('creates version 1 with references pinned to the current group versions', async () => {
    const f = await setup();

    const created = await apply(f, { ...service, usedBy: ['fraud-model'] });

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'fraud',
      version: 1,
      features: ['customer:spend', 'customer:orders'],
      resolved: ['customer@1:spend', 'customer@1:orders'],
      usedBy: ['fraud-model'],
    });
  });

  it('answers an identical re-post with the same version, and adds new users without a new version', async () => {
    const f = await setup();
    await apply(f, service);

    const same = await apply(f, { ...service, usedBy: ['churn-model'] });
    const shown = await f.call('GET /feature-services/{name}', { params: { name: 'fraud' } });

    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ version: 1, usedBy: ['churn-model'] });
    expect(shown.json).toMatchObject({ latestVersion: 1, usedBy: ['churn-model'] });
    expect(shown.json.versions).toHaveLength(1);
  });

  it('makes version n+1 when the features, their pinned versions or the description change', async () => {
    const f = await setup();
    await apply(f, service);
    const changed = await apply(f, { ...service, features: ['customer:spend'] });
    await f.call('POST /feature-groups', { body: groupBody({ description: 'v2' }) });

    const repinned = await apply(f, { ...service, features: ['customer:spend'] });

    expect(changed.json.version).toBe(2);
    expect(repinned.json).toMatchObject({ version: 3, resolved: ['customer@2:spend'] });
  });

  it('serves online reads by service name, latest or pinned, answering with the names as written', async () => {
    const f = await setup();
    await f.call('POST /feature-groups/{name}/records', {
      params: { name: 'customer' },
      body: { records: [record(1, '2026-11-28T09:30:00Z', { spend: 4 })] },
    });
    await apply(f, service);
    await apply(f, { ...service, features: ['customer:tier'] });

    const latest = await f.call('POST /features/online', {
      body: { featureService: 'fraud', entities: [{ customer_id: 1 }] },
    });
    const pinned = await f.call('POST /features/online', {
      body: { featureService: 'fraud@1', entities: [{ customer_id: 1 }] },
    });

    expect(Object.keys(latest.json.results[0].features)).toEqual(['customer:tier']);
    expect(pinned.json.results[0].features).toEqual({
      'customer:spend': { value: 4, status: 'PRESENT', eventTime: '2026-11-28T09:30:00.000Z' },
      'customer:orders': { value: 3, status: 'PRESENT', eventTime: '2026-11-28T09:30:00.000Z' },
    });
  });

  it('refuses unknown services in online reads with 400 naming body.featureService', async () => {
    const f = await setup();

    const out = await f.call('POST /features/online', {
      body: { featureService: 'nope@2', entities: [{ customer_id: 1 }] },
    });

    expect(out.status).toBe(400);
    expect(out.json.errors).toEqual([
      expect.objectContaining({ field: 'body.featureService', rule: 'unknown_feature_service' }),
    ]);
  });

  it('refuses unknown features naming body.features.N, storing nothing', async () => {
    const f = await setup();
    const writes = f.store.committed.length;

    const out = await apply(f, { name: 'bad', features: ['customer:spend', 'customer:nope', 'other:x'] });

    expect(out.status).toBe(400);
    expect(out.json.errors.map((e: { field: string }) => e.field)).toEqual([
      'body.features.1',
      'body.features.2',
    ]);
    expect(f.store.committed).toHaveLength(writes);
  });

  it('shows the services and models using a group on the group', async () => {
    const f = await setup();
    await apply(f, { ...service, usedBy: ['fraud-model'] });
    await apply(f, { name: 'churn', features: ['customer:tier'], usedBy: ['churn-model'] });

    const group = await f.call('GET /feature-groups/{name}', { params: { name: 'customer' } });

    expect(group.json.usedBy).toEqual({
      featureServices: ['churn@1', 'fraud@1'],
      models: ['churn-model', 'fraud-model'],
    });
  });

  it('answers 404 for an unknown service', async () => {
    const f = await setup();

    expect((await f.call('GET /feature-services/{name}', { params: { name: 'nope' } })).status).toBe(404);
  });
});
