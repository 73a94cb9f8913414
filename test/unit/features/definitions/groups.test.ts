import { describe, expect, it } from 'vitest';
import { type FeaturesFixture, featuresFixture, groupBody } from '../../../support/features';
import { sqliteStores } from '../../../support/stores';

describe('features: group definitions and versions', () => {
  const sqlite = sqliteStores();
  const setup = (): FeaturesFixture => {
    return featuresFixture(sqlite);
  };
  const withFeatures = (features: unknown[], extra: Record<string, unknown> = {}) =>
    groupBody({ features, ...extra });
  const base = groupBody().features;

  it('creates version 1 with the definition, nullable defaulting to true', async () => {
    const { call } = setup();

    const created = await call('POST /feature-groups', { body: groupBody(), actor: 'bob' });

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'customer',
      version: 1,
      storageVersion: 1,
      breaking: false,
      changes: [],
      entityKeys: ['customer_id'],
      ttlSeconds: 3600,
      createdBy: 'bob',
      createdAt: '2026-11-28T10:00:00.000Z',
    });
    expect(created.json.features[0]).toEqual({ name: 'spend', type: 'float', nullable: true, min: 0 });
    expect(created.json.features[1].nullable).toBe(false);
  });

  it('answers an identical re-post with 200 and the same version, writing nothing', async () => {
    const { call, store } = setup();
    await call('POST /feature-groups', { body: groupBody() });
    const writes = store.committed.length;

    const again = await call('POST /feature-groups', { body: groupBody({ tags: {} }) });

    expect(again.status).toBe(200);
    expect(again.json.version).toBe(1);
    expect(store.committed).toHaveLength(writes);
  });

  it('treats a reordering of allowed values as no change', async () => {
    const { call } = setup();
    await call('POST /feature-groups', { body: groupBody() });

    const again = await call('POST /feature-groups', {
      body: withFeatures([base[0], base[1], { ...base[2], allowed: ['silver', 'gold'] }]),
    });

    expect(again.status).toBe(200);
  });

  it('makes version 2 on the same storage for additive changes, listing them', async () => {
    const { call } = setup();
    await call('POST /feature-groups', { body: groupBody() });

    const v2 = await call('POST /feature-groups', {
      body: withFeatures([...base, { name: 'churn_risk', type: 'float' }], {
        description: 'customer activity, daily',
        ttlSeconds: 7200,
        tags: { team: 'growth' },
      }),
    });

    expect(v2.status).toBe(201);
    expect(v2.json).toMatchObject({ version: 2, storageVersion: 1, breaking: false });
    expect(v2.json.changes).toEqual(
      expect.arrayContaining([
        'nullable feature churn_risk is added',
        'description changes',
        'ttlSeconds changes',
        'tags changes',
      ]),
    );
  });

  it('counts tighter rules as additive', async () => {
    const { call } = setup();
    await call('POST /feature-groups', { body: groupBody() });

    const v2 = await call('POST /feature-groups', {
      body: withFeatures([{ ...base[0], min: 1, max: 100 }, base[1], { ...base[2], allowed: ['gold'] }]),
    });

    expect(v2.status).toBe(201);
    expect(v2.json.storageVersion).toBe(1);
  });

  it('refuses each kind of breaking change with 409 listing every difference, storing nothing', async () => {
    const { call, store } = setup();
    await call('POST /feature-groups', { body: groupBody() });
    const writes = store.committed.length;

    const refused = await call('POST /feature-groups', {
      body: withFeatures(
        [
          { name: 'spend', type: 'int', min: 0 },
          { name: 'orders', type: 'int', nullable: true },
          { name: 'visits', type: 'int', nullable: false },
        ],
        { entityKeys: ['customer_id', 'region'], eventTimeField: 'event_time' },
      ),
    });

    expect(refused.status).toBe(409);
    expect(refused.contentType).toBe('application/problem+json');
    expect(refused.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      [
        'body.entityKeys',
        'body.eventTimeField',
        'body.features',
        'body.features.0.type',
        'body.features.1.nullable',
        'body.features.2.nullable',
      ].sort(),
    );
    expect(refused.json.errors.every((e: { rule: string }) => e.rule === 'breaking_change')).toBe(true);
    expect(refused.json.detail).toContain('feature tier is removed');
    expect(store.committed).toHaveLength(writes);
  });

  it('counts nullable→required and looser rules as breaking', async () => {
    const { call } = setup();
    await call('POST /feature-groups', { body: groupBody() });

    const required = await call('POST /feature-groups', {
      body: withFeatures([{ ...base[0], nullable: false }, base[1], base[2]]),
    });
    const looser = await call('POST /feature-groups', {
      body: withFeatures([
        { name: 'spend', type: 'float' },
        base[1],
        { ...base[2], allowed: ['gold', 'silver', 'bronze'] },
      ]),
    });

    expect(required.status).toBe(409);
    expect(required.json.errors).toEqual([expect.objectContaining({ field: 'body.features.0.nullable' })]);
    expect(looser.json.errors.map((e: { field: string }) => e.field)).toEqual([
      'body.features.0.min',
      'body.features.2.allowed',
    ]);
  });

  it('makes a breaking version with "breaking": true, on its own storage, and keeps old versions readable', async () => {
    const { call } = setup();
    await call('POST /feature-groups', { body: groupBody() });
    await call('POST /feature-groups', { body: withFeatures([...base, { name: 'extra', type: 'bool' }]) });

    const v3 = await call('POST /feature-groups', {
      body: withFeatures([{ name: 'spend', type: 'int' }, base[1]], { breaking: true }),
    });
    const group = await call('GET /feature-groups/{name}', { params: { name: 'customer' } });

    expect(v3.status).toBe(201);
    expect(v3.json).toMatchObject({ version: 3, storageVersion: 3, breaking: true });
    expect(v3.json).not.toHaveProperty('breakingFlag');
    expect(group.json.latestVersion).toBe(3);
    expect(
      group.json.versions.map((v: { version: number; storageVersion: number }) => [
        v.version,
        v.storageVersion,
      ]),
    ).toEqual([
      [1, 1],
      [2, 1],
      [3, 3],
    ]);
    expect(group.json.versions[0].features).toHaveLength(3);
  });

  it('refuses definitions whose names collide or whose rules do not fit, naming each field', async () => {
    const { call, store } = setup();

    const refused = await call('POST /feature-groups', {
      body: groupBody({
        entityKeys: ['customer_id', 'customer_id', 'Ingested_At'],
        eventTimeField: 'customer_id',
        features: [
          { name: 'spend', type: 'float', min: 5, max: 1 },
          { name: 'spend', type: 'string', min: 0 },
          { name: 'customer_id', type: 'int', allowed: [1.5, 'x'] },
          { name: 'event_date', type: 'string' },
        ],
      }),
    });

    expect(refused.status).toBe(400);
    expect(
      refused.json.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`).sort(),
    ).toEqual(
      [
        'body.entityKeys.1:unique',
        'body.entityKeys.2:reserved',
        'body.eventTimeField:distinct',
        'body.features.3.name:reserved',
        'body.features.0.min:min_max',
        'body.features.1.name:unique',
        'body.features.1.min:numeric_only',
        'body.features.2.name:reserved',
        'body.features.2.allowed.0:type',
        'body.features.2.allowed.1:type',
      ].sort(),
    );
    expect(store.committed).toHaveLength(0);
  });

  it('refuses a definition too large for one store item, storing nothing', async () => {
    const { call, store } = setup();
    const allowed = Array.from({ length: 1000 }, (_, i) => `${'v'.repeat(100)}${i}`);

    const refused = await call('POST /feature-groups', {
      body: withFeatures([
        { name: 'a', type: 'string', allowed },
        { name: 'b', type: 'string', allowed },
      ]),
    });

    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'max_size' })]);
    expect(store.committed).toHaveLength(0);
  });

  it('refuses malformed bodies at the edge, naming the field', async () => {
    const { call, store } = setup();

    const refused = await call('POST /feature-groups', {
      body: { ...groupBody({ name: 'Bad-Name', features: [{ name: 'x', type: 'decimal' }] }), extra: 1 },
    });

    expect(refused.status).toBe(400);
    expect(refused.json.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['body.extra', 'body.features.0.type', 'body.name'].sort(),
    );
    expect(store.committed).toHaveLength(0);
  });

  it('lists groups in name order with pages', async () => {
    const { call } = setup();
    for (const name of ['gamma', 'alpha', 'beta'])
      await call('POST /feature-groups', { body: groupBody({ name }) });

    const first = await call('GET /feature-groups', { query: { limit: '2' } });
    const second = await call('GET /feature-groups', {
      query: { limit: '2', nextToken: first.json.nextToken },
    });

    expect(first.json.items.map((g: { name: string }) => g.name)).toEqual(['alpha', 'beta']);
    expect(second.json.items.map((g: { name: string }) => g.name)).toEqual(['gamma']);
    expect(second.json.nextToken).toBeUndefined();
  });

  it('answers 404 for an unknown group', async () => {
    const { call } = setup();

    const missing = await call('GET /feature-groups/{name}', { params: { name: 'nope' } });

    expect(missing.status).toBe(404);
  });

  it('gives concurrent applies of one additive change a single new version', async () => {
    const { call } = setup();
    await call('POST /feature-groups', { body: groupBody() });
    const body = withFeatures([...base, { name: 'f_new', type: 'bool' }]);

    const results = await Promise.all(
      Array.from({ length: 6 }, () => call('POST /feature-groups', { body })),
    );

    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.json.version))).toEqual(new Set([2]));
  });
});
