import { describe, expect, it } from 'vitest';
import { type FeaturesFixture, featuresFixture, groupBody, record } from '../../../support/features';
import { sqliteStores } from '../../../support/stores';

const T0 = '2026-11-28T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

describe('features: online reads', () => {
  const sqlite = sqliteStores();
  const setup = async (): Promise<FeaturesFixture> => {
    const fixture = featuresFixture(sqlite);
    await fixture.call('POST /feature-groups', { body: groupBody() });
    await fixture.call('POST /feature-groups', {
      body: groupBody({
        name: 'merchant',
        entityKeys: ['merchant_id', 'country'],
        features: [{ name: 'fraud_rate', type: 'float' }],
        ttlSeconds: undefined,
      }),
    });
    return fixture;
  };
  const ingest = (f: FeaturesFixture, name: string, records: unknown[]) =>
    f.call('POST /feature-groups/{name}/records', { params: { name }, body: { records } });
  const read = (f: FeaturesFixture, body: unknown) => f.call('POST /features/online', { body });

  it('answers in the order of entities, with PRESENT and MISSING, across groups with different keys', async () => {
    const f = await setup();
    await ingest(f, 'customer', [record(1, at(50), { spend: 1 }), record(2, at(55), { spend: 2 })]);
    await ingest(f, 'merchant', [{ merchant_id: 'm1', country: 'FR', ts: at(0), fraud_rate: 0.25 }]);

    const out = await read(f, {
      features: ['customer:spend', 'merchant:fraud_rate'],
      entities: [
        { customer_id: 2, merchant_id: 'm1', country: 'FR' },
        { customer_id: 9, merchant_id: 'm1', country: 'DE' },
        { customer_id: '1', merchant_id: 'm1', country: 'FR' },
      ],
    });

    expect(out.status).toBe(200);
    expect(out.json.results).toEqual([
      {
        entity: { customer_id: 2, merchant_id: 'm1', country: 'FR' },
        features: {
          'customer:spend': { value: 2, status: 'PRESENT', eventTime: at(55) },
          'merchant:fraud_rate': { value: 0.25, status: 'PRESENT', eventTime: at(0) },
        },
      },
      {
        entity: { customer_id: 9, merchant_id: 'm1', country: 'DE' },
        features: {
          'customer:spend': { value: null, status: 'MISSING', eventTime: null },
          'merchant:fraud_rate': { value: null, status: 'MISSING', eventTime: null },
        },
      },
      {
        entity: { customer_id: '1', merchant_id: 'm1', country: 'FR' },
        features: {
          'customer:spend': { value: 1, status: 'PRESENT', eventTime: at(50) },
          'merchant:fraud_rate': { value: 0.25, status: 'PRESENT', eventTime: at(0) },
        },
      },
    ]);
  });

  it('reports EXPIRED, never PRESENT, once a value is older than the TTL at read time', async () => {
    const f = await setup();
    await ingest(f, 'customer', [record(1, at(30), { spend: 1 })]);
    const body = { features: ['customer:spend'], entities: [{ customer_id: 1 }] };

    const fresh = (await read(f, body)).json.results[0].features['customer:spend'];
    f.clock.advance(30 * 60_000);
    const edge = (await read(f, body)).json.results[0].features['customer:spend'];
    f.clock.advance(1);
    const expired = (await read(f, body)).json.results[0].features['customer:spend'];

    expect(fresh.status).toBe('PRESENT');
    expect(edge.status).toBe('PRESENT');
    expect(expired).toEqual({ value: null, status: 'EXPIRED', eventTime: at(30) });
  });

  it('reads every entity and group in one store round trip once definitions are cached', async () => {
    const f = await setup();
    await ingest(
      f,
      'customer',
      Array.from({ length: 150 }, (_, i) => record(i, at(0))),
    );
    const body = {
      features: ['customer:spend', 'customer:tier', 'merchant:fraud_rate'],
      entities: Array.from({ length: 150 }, (_, i) => ({ customer_id: i, merchant_id: 'm', country: 'FR' })),
    };
    await read(f, body);
    f.store.resetCounts();

    const out = await read(f, body);

    expect(out.json.results).toHaveLength(150);
    expect(f.store.calls).toEqual({ get: 0, batchGet: 1, query: 0, put: 0, transact: 0, putIfNewer: 0 });
  });

  it('reads a pinned version, and a new additive version shares its rows', async () => {
    const f = await setup();
    await ingest(f, 'customer', [record(1, at(0), { spend: 1 })]);
    await f.call('POST /feature-groups', {
      body: groupBody({ features: [...groupBody().features, { name: 'extra', type: 'bool' }] }),
    });

    const before = await read(f, {
      features: ['customer@1:spend', 'customer:spend', 'customer:extra'],
      entities: [{ customer_id: 1 }],
    });
    await ingest(f, 'customer', [record(1, at(1), { spend: 5, extra: true })]);
    const after = await read(f, {
      features: ['customer@1:spend', 'customer:extra'],
      entities: [{ customer_id: 1 }],
    });

    expect(before.json.results[0].features).toEqual({
      'customer@1:spend': { value: 1, status: 'PRESENT', eventTime: at(0) },
      'customer:spend': { value: 1, status: 'PRESENT', eventTime: at(0) },
      'customer:extra': { value: null, status: 'MISSING', eventTime: null },
    });
    expect(after.json.results[0].features).toEqual({
      'customer@1:spend': { value: 5, status: 'PRESENT', eventTime: at(1) },
      'customer:extra': { value: true, status: 'PRESENT', eventTime: at(1) },
    });
  });

  it('keeps each value in its place in the rows when an additive version reorders and inserts features', async () => {
    const f = await setup();
    await ingest(f, 'customer', [record(1, at(0), { spend: 1 })]);
    const [spend, orders, tier] = groupBody().features;
    const v2 = await f.call('POST /feature-groups', {
      body: groupBody({ features: [tier, { name: 'extra', type: 'bool' }, spend, orders] }),
    });
    const all = ['spend', 'orders', 'tier'];
    const readBoth = async () =>
      (
        await read(f, {
          features: [
            ...all.map((n) => `customer@1:${n}`),
            ...[...all, 'extra'].map((n) => `customer@2:${n}`),
          ],
          entities: [{ customer_id: 1 }],
        })
      ).json.results[0].features;

    const before = await readBoth();
    await ingest(f, 'customer', [record(1, at(1), { spend: 5, tier: 'silver', extra: true })]);
    const after = await readBoth();

    expect(v2.json).toMatchObject({ version: 2, storageVersion: 1, rowLayout: [...all, 'extra'] });
    const present = (value: unknown, minutes: number) => ({
      value,
      status: 'PRESENT',
      eventTime: at(minutes),
    });
    expect(before).toEqual({
      'customer@1:spend': present(1, 0),
      'customer@1:orders': present(3, 0),
      'customer@1:tier': present('gold', 0),
      'customer@2:spend': present(1, 0),
      'customer@2:orders': present(3, 0),
      'customer@2:tier': present('gold', 0),
      'customer@2:extra': { value: null, status: 'MISSING', eventTime: null },
    });
    expect(after).toEqual({
      'customer@1:spend': present(5, 1),
      'customer@1:orders': present(3, 1),
      'customer@1:tier': present('silver', 1),
      'customer@2:spend': present(5, 1),
      'customer@2:orders': present(3, 1),
      'customer@2:tier': present('silver', 1),
      'customer@2:extra': present(true, 1),
    });
  });

  it('keeps models pinned to the old version reading it after a breaking version', async () => {
    const f = await setup();
    await ingest(f, 'customer', [record(1, at(0), { spend: 1 })]);
    await f.call('POST /feature-groups', {
      body: groupBody({ features: [{ name: 'spend', type: 'int' }], breaking: true }),
    });
    await ingest(f, 'customer', [record(1, at(1), { spend: 7, orders: undefined, tier: undefined })]);

    const out = await read(f, {
      features: ['customer@1:spend', 'customer:spend'],
      entities: [{ customer_id: 1 }],
    });

    expect(out.json.results[0].features).toEqual({
      'customer@1:spend': { value: 1, status: 'PRESENT', eventTime: at(0) },
      'customer:spend': { value: 7, status: 'PRESENT', eventTime: at(1) },
    });
  });

  it('refuses unknown groups, versions, features and bad references with 400 naming body.features.N', async () => {
    const f = await setup();

    const out = await read(f, {
      features: [
        'customer:spend',
        'nope:x',
        'customer@7:spend',
        'customer:nope',
        'Bad Ref',
        'customer:spend',
      ],
      entities: [{ customer_id: 1 }],
    });
    const unknownOnly = await read(f, {
      features: ['customer:spend', 'nope:x', 'customer@7:spend', 'customer:nope'],
      entities: [{ customer_id: 1 }],
    });

    expect(out.status).toBe(400);
    expect(out.json.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)).toEqual([
      'body.features.4:feature_reference',
      'body.features.5:unique',
    ]);
    expect(
      unknownOnly.json.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`),
    ).toEqual([
      'body.features.1:unknown_feature_group',
      'body.features.2:unknown_feature_group',
      'body.features.3:unknown_feature',
    ]);
  });

  it('refuses entities missing a key (or with a bad one) with 400 naming body.entities.N.key', async () => {
    const f = await setup();

    const out = await read(f, {
      features: ['customer:spend', 'merchant:fraud_rate'],
      entities: [
        { customer_id: 1, merchant_id: 'm', country: 'FR' },
        { customer_id: 1, merchant_id: 'm' },
        { customer_id: 1.5, merchant_id: 'm', country: 'FR' },
      ],
    });

    expect(out.status).toBe(400);
    expect(out.json.errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)).toEqual([
      'body.entities.1.country:entity_key_missing',
      'body.entities.2.customer_id:entity_key',
    ]);
  });

  it('needs exactly one of features and featureService', async () => {
    const f = await setup();

    const both = await read(f, {
      features: ['customer:spend'],
      featureService: 's',
      entities: [{ customer_id: 1 }],
    });
    const neither = await read(f, { entities: [{ customer_id: 1 }] });

    expect(both.json.errors).toEqual([expect.objectContaining({ field: 'body.features' })]);
    expect(neither.status).toBe(400);
  });
});
