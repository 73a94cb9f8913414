import { describe, expect, it } from 'vitest';
import { onlineKey } from '../../../../lambdas/features/keys';
import { PHYSICAL_GRACE_SECONDS } from '../../../../lambdas/features/online/online-store';
import { type FeaturesFixture, featuresFixture, groupBody, record } from '../../../support/features';
import { sqliteStores } from '../../../support/stores';

const T0 = '2026-11-28T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

describe('features: ingestion', () => {
  const sqlite = sqliteStores();
  const setup = async (extra: Record<string, unknown> = {}): Promise<FeaturesFixture> => {
    const fixture = featuresFixture(sqlite);
    await fixture.call('POST /feature-groups', { body: groupBody(extra) });
    return fixture;
  };
  const ingest = (f: FeaturesFixture, records: unknown[], version?: number) =>
    f.call('POST /feature-groups/{name}/records', {
      params: { name: 'customer' },
      body: version === undefined ? { records } : { records, version },
    });
  const online = async (f: FeaturesFixture, id: number | string) =>
    (
      await f.call('POST /features/online', {
        body: {
          features: ['customer:spend', 'customer:orders', 'customer:tier'],
          entities: [{ customer_id: id }],
        },
      })
    ).json.results[0].features;

  it('accepts valid records and hands them to the offline sink, normalized', async () => {
    const f = await setup();

    const out = await ingest(f, [
      record(1, '2026-11-28T10:00:00+01:00', { tier: null }),
      record('c-2', at(1), { spend: undefined }),
    ]);

    expect(out.status).toBe(200);
    expect(out.json).toEqual({ group: 'customer', version: 1, accepted: 2, rejected: [], onlineWritten: 2 });
    expect(f.offline.appended[0]?.group).toMatchObject({ name: 'customer', version: 1 });
    expect(f.offline.records()).toEqual([
      { customer_id: 1, ts: '2026-11-28T09:00:00.000Z', spend: 10.5, orders: 3, tier: null },
      { customer_id: 'c-2', ts: at(1), spend: null, orders: 3, tier: 'gold' },
    ]);
  });

  it('rejects each broken rule with the record index, field and reason, and quarantines the record', async () => {
    const f = await setup();
    const bad = [
      { ts: at(0), spend: 1, orders: 1 },
      record(2, '2026-11-28 09:00'),
      record(3, '2026-02-30T00:00:00Z'),
      record(4, at(0), { spend: 'ten', orders: 1.5, tier: 'bronze' }),
      record(5, at(0), { spend: -1, orders: null }),
      record(6, at(0), { colour: 'red' }),
      record(true as unknown as number, at(0)),
      [1, 2],
      record(9, '2026-11-28T11:00:00Z'),
    ];

    const out = await ingest(f, [record(0, at(0)), ...bad]);
    const quarantine = await f.call('GET /feature-groups/{name}/quarantine', {
      params: { name: 'customer' },
    });

    expect(out.json.accepted).toBe(1);
    expect(out.json.rejected).toEqual([
      { index: 1, field: 'customer_id', reason: 'entity key is missing' },
      { index: 2, field: 'ts', reason: expect.stringContaining('ISO-8601') },
      { index: 3, field: 'ts', reason: expect.stringContaining('ISO-8601') },
      { index: 4, field: 'spend', reason: 'must be a finite number' },
      { index: 4, field: 'orders', reason: 'must be a safe integer' },
      { index: 4, field: 'tier', reason: 'must be one of ["gold","silver"]' },
      { index: 5, field: 'spend', reason: 'must be at least 0' },
      { index: 5, field: 'orders', reason: 'is required (the feature is not nullable)' },
      { index: 6, field: 'colour', reason: 'unknown field' },
      { index: 7, field: 'customer_id', reason: expect.stringContaining('safe integer') },
      { index: 8, field: 'record', reason: 'must be a JSON object' },
      { index: 9, field: 'ts', reason: 'lies more than 5 minutes in the future' },
    ]);
    expect(quarantine.json.items).toHaveLength(9);
    expect(quarantine.json.items.map((e: { index: number }) => e.index)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(quarantine.json.items[5]).toMatchObject({
      group: 'customer',
      version: 1,
      index: 4,
      record: bad[3],
      truncated: false,
      issues: [
        { field: 'spend', reason: 'must be a finite number' },
        { field: 'orders', reason: 'must be a safe integer' },
        { field: 'tier', reason: 'must be one of ["gold","silver"]' },
      ],
      actor: 'alice',
    });
    expect(f.offline.records()).toHaveLength(1);
  });

  it('never mistakes inherited members for fields, and refuses entity keys too long for a partition key', async () => {
    const f = await setup({
      entityKeys: ['a', 'b', 'c', 'd', 'e'],
      features: [{ name: 'constructor', type: 'float' }],
    });
    const long = '"'.repeat(250);

    const out = await ingest(f, [
      { a: 1, b: 2, c: 3, d: 4, e: 5, ts: at(0) },
      { a: long, b: long, c: long, d: long, e: long, ts: at(0) },
    ]);

    expect(out.json.accepted).toBe(1);
    expect(out.json.rejected).toEqual([
      { index: 1, field: 'record', reason: expect.stringContaining('1900 bytes') },
    ]);
    expect(f.offline.records()[0]).toEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, ts: at(0), constructor: null });
  });

  it('keeps quarantined records 30 days, then lets them expire', async () => {
    const f = await setup();
    await ingest(f, [record(1, 'yesterday')]);
    const items = await f.store.inner.query('feature-group#customer#quarantine');

    expect(items.items[0]?.expiresAt).toBe(Date.parse('2026-11-28T10:00:00Z') / 1000 + 30 * 24 * 3600);
  });

  it('pages the quarantine', async () => {
    const f = await setup();
    await ingest(
      f,
      Array.from({ length: 5 }, (_, i) => record(i, 'bad')),
    );

    const first = await f.call('GET /feature-groups/{name}/quarantine', {
      params: { name: 'customer' },
      query: { limit: '3' },
    });
    const second = await f.call('GET /feature-groups/{name}/quarantine', {
      params: { name: 'customer' },
      query: { limit: '3', nextToken: first.json.nextToken },
    });

    expect(first.json.items).toHaveLength(3);
    expect(second.json.items).toHaveLength(2);
    expect(second.json.nextToken).toBeUndefined();
  });

  it('never lets an older event overwrite a newer one, nor refresh its TTL', async () => {
    const f = await setup();
    await ingest(f, [record(1, at(10), { spend: 2 })]);
    const key = onlineKey('customer', 1, '["1"]');
    const before = await f.store.inner.get(key);

    const out = await ingest(f, [record(1, at(5), { spend: 1 })]);
    const after = await f.store.inner.get(key);

    expect(out.json).toMatchObject({ accepted: 1, onlineWritten: 0 });
    expect(after).toEqual(before);
    expect(after?.expiresAt).toBe(Date.parse(at(10)) / 1000 + 3600 + PHYSICAL_GRACE_SECONDS);
    expect((await online(f, 1))['customer:spend']).toEqual({
      value: 2,
      status: 'PRESENT',
      eventTime: at(10),
    });
  });

  it('lets a newer event replace the row, and its event time sets the expiry', async () => {
    const f = await setup();
    await ingest(f, [record(1, at(5), { spend: 1 })]);

    await ingest(f, [record(1, at(10), { spend: 2, tier: null })]);

    expect(await online(f, 1)).toEqual({
      'customer:spend': { value: 2, status: 'PRESENT', eventTime: at(10) },
      'customer:orders': { value: 3, status: 'PRESENT', eventTime: at(10) },
      'customer:tier': { value: null, status: 'PRESENT', eventTime: at(10) },
    });
  });

  it('breaks ties at equal event times by the values, whatever the order of arrival', async () => {
    const one = await setup();
    const two = await setup();
    const a = record(1, at(5), { spend: 1 });
    const b = record(1, at(5), { spend: 2 });

    await ingest(one, [a]);
    await ingest(one, [b]);
    await ingest(two, [b]);
    await ingest(two, [a]);
    const repeat = await ingest(two, [b]);

    expect((await online(one, 1))['customer:spend'].value).toBe(2);
    expect((await online(two, 1))['customer:spend'].value).toBe(2);
    expect(repeat.json.onlineWritten).toBe(0);
  });

  it('keeps the newest event of an entity within one request', async () => {
    const f = await setup();

    const out = await ingest(f, [
      record(1, at(3), { spend: 3 }),
      record(1, at(9), { spend: 9 }),
      record(1, at(1), { spend: 1 }),
    ]);

    expect(out.json).toMatchObject({ accepted: 3, onlineWritten: 1 });
    expect((await online(f, 1))['customer:spend'].value).toBe(9);
    expect(f.offline.records()).toHaveLength(3);
  });

  it('keeps the newest event under concurrent ingestion of shuffled histories of the same entity', async () => {
    const f = await setup();
    const history = Array.from({ length: 40 }, (_, i) => record(7, at(i), { spend: i }));
    const shuffled = [...history].sort(() => Math.random() - 0.5);

    await Promise.all(shuffled.map((r) => ingest(f, [r])));

    const writes = f.store.committed.flatMap((op) =>
      op.kind === 'put' && op.pk.startsWith('online#') ? [op.data.eventMs as number] : [],
    );
    // Events that arrived after a newer one were refused by the store; every write replaced an older row.
    expect(writes.length).toBeLessThan(history.length);
    expect(writes).toEqual([...new Set(writes)].sort((a, b) => a - b));
    expect((await online(f, 7))['customer:spend']).toEqual({
      value: 39,
      status: 'PRESENT',
      eventTime: at(39),
    });
  });

  it('writes the online rows of a request in one conditional batch write, with no read before it', async () => {
    const f = await setup();
    f.store.resetCounts();

    await ingest(
      f,
      Array.from({ length: 250 }, (_, i) => record(i, at(0))),
    );

    expect(f.store.newerPutSizes).toEqual([250]);
    expect(f.store.calls).toMatchObject({ batchGet: 0, transact: 0, putIfNewer: 1 });
  });

  it('ingests into a pinned version, validating against it', async () => {
    const f = await setup();
    await f.call('POST /feature-groups', {
      body: groupBody({ features: [...groupBody().features, { name: 'extra', type: 'bool' }] }),
    });

    const v1 = await ingest(f, [record(1, at(0), { extra: true })], 1);
    const v2 = await ingest(f, [record(1, at(0), { extra: true })]);

    expect(v1.json.rejected).toEqual([{ index: 0, field: 'extra', reason: 'unknown field' }]);
    expect(v2.json).toMatchObject({ version: 2, accepted: 1 });
  });

  it('answers 404 for an unknown group or version and 400 for a malformed body, storing nothing', async () => {
    const f = await setup();
    const writes = f.store.committed.length;

    const noGroup = await f.call('POST /feature-groups/{name}/records', {
      params: { name: 'nope' },
      body: { records: [{}] },
    });
    const noVersion = await ingest(f, [record(1, at(0))], 9);
    const empty = await f.call('POST /feature-groups/{name}/records', {
      params: { name: 'customer' },
      body: { records: [] },
    });
    const extra = await f.call('POST /feature-groups/{name}/records', {
      params: { name: 'customer' },
      body: { records: [record(1, at(0))], what: 1 },
    });

    expect(noGroup.status).toBe(404);
    expect(noVersion.status).toBe(404);
    expect(empty.json.errors).toEqual([
      expect.objectContaining({ field: 'body.records', rule: 'too_small' }),
    ]);
    expect(extra.json.errors).toEqual([expect.objectContaining({ field: 'body.what' })]);
    expect(f.store.committed).toHaveLength(writes);
  });

  it('keeps quality statistics per version: rows, null rates, min/max/mean, distinct, rejections, last event', async () => {
    const f = await setup();
    await ingest(f, [
      record(1, at(0), { spend: 10, tier: 'gold' }),
      record(2, at(2), { spend: 20, tier: null }),
      record(3, 'bad'),
    ]);
    await ingest(f, [record(4, at(1), { spend: null, tier: 'silver' }), record(5, at(1), { spend: 30 })]);

    const group = await f.call('GET /feature-groups/{name}', { params: { name: 'customer' } });

    expect(group.json.freshness).toEqual({ lastEventTime: at(2) });
    const stats = group.json.statistics['1'];
    expect(stats).toMatchObject({ rowCount: 4, rejectedCount: 1, lastEventTime: at(2) });
    expect(stats.features.spend).toEqual({
      nullCount: 1,
      nullRate: 0.25,
      min: 10,
      max: 30,
      mean: 20,
      distinct: 3,
    });
    expect(stats.features.tier).toMatchObject({ nullCount: 1, distinct: 2 });
    expect(stats.features.orders).toMatchObject({ nullCount: 0, min: 3, max: 3, mean: 3, distinct: 1 });
  });
});
