/**
 * The feature store's online side on the cloud adapter (DynamoDB Local): newest-wins under racing
 * writers rests on DynamoDbMetadataStore's conditional puts on the stored event time (putIfNewer), and
 * the read of many entities on BatchGetItem (100 keys a request, in parallel) keeping their order.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY } from '../../lambdas/features/deps';
import { DynamoDbMetadataStore } from '../../lambdas/shared/adapters/aws/dynamodb-metadata-store';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { type FeaturesFixture, featuresFixture, groupBody, record } from '../support/features';

let emulator: DynamoDbLocal;

beforeAll(async () => {
  emulator = await startDynamoDbLocal();
});
afterAll(async () => {
  await emulator?.stop();
});

const at = (minutes: number) =>
  new Date(Date.parse('2026-11-28T09:00:00.000Z') + minutes * 60_000).toISOString();

describe('features online store on DynamoDB (DynamoDB Local)', () => {
  let f: FeaturesFixture;

  beforeEach(async () => {
    const tableName = `features-${randomUUID()}`;
    await emulator.createMetadataTable(tableName);
    f = featuresFixture(
      (clock) => new DynamoDbMetadataStore({ tableName, client: emulator.docClient, clock }),
      {
        // DynamoDB Local is slow per transaction; the invariant is newest-wins, so the budget is wide.
        deps: { retry: { ...DEFAULT_RETRY, budgetMs: 60_000 } },
      },
    );
    await f.call('POST /feature-groups', { body: groupBody() });
  });

  const ingest = (records: unknown[]) =>
    f.call('POST /feature-groups/{name}/records', { params: { name: 'customer' }, body: { records } });

  it('keeps the newest event when shuffled writes of one entity race', async () => {
    const history = Array.from({ length: 12 }, (_, i) => record(7, at(i), { spend: i }));
    const shuffled = [...history].sort(() => Math.random() - 0.5);

    const outcomes = await Promise.all(shuffled.map((r) => ingest([r])));
    const read = await f.call('POST /features/online', {
      body: { features: ['customer:spend'], entities: [{ customer_id: 7 }] },
    });

    const writes = f.store.committed.flatMap((op) =>
      op.kind === 'put' && op.pk.startsWith('online#') ? [op.data.eventMs as number] : [],
    );
    expect(outcomes.every((o) => o.status === 200)).toBe(true);
    // Writes that arrived after a newer one were refused by DynamoDB's condition, not written over it.
    expect(writes.length).toBeLessThan(history.length);
    expect(outcomes.reduce((sum, o) => sum + o.json.onlineWritten, 0)).toBe(writes.length);
    expect(read.json.results[0].features['customer:spend']).toEqual({
      value: 11,
      status: 'PRESENT',
      eventTime: at(11),
    });
  }, 120_000);

  it('never lets an older write overwrite or refresh the stored row', async () => {
    await ingest([record(1, at(10), { spend: 2 })]);
    const before = await f.store.inner.get({ pk: 'online#customer@1#["1"]', sk: 'v' });

    await ingest([record(1, at(5), { spend: 1 })]);

    expect(await f.store.inner.get({ pk: 'online#customer@1#["1"]', sk: 'v' })).toEqual(before);
  });

  it('reads 250 entities in one batch read (BatchGetItem chunks), in the order asked', async () => {
    await ingest(Array.from({ length: 250 }, (_, i) => record(i, at(i % 60), { spend: i })));
    const ids = Array.from({ length: 260 }, (_, i) => 259 - i);
    const body = {
      features: ['customer:spend', 'customer:tier'],
      entities: ids.map((id) => ({ customer_id: id })),
    };
    await f.call('POST /features/online', { body });
    f.store.resetCounts();

    const out = await f.call('POST /features/online', { body });

    expect(f.store.calls.batchGet).toBe(1);
    expect(
      out.json.results.map(
        (r: { features: { 'customer:spend': { value: number | null } } }) =>
          r.features['customer:spend'].value,
      ),
    ).toEqual(ids.map((id) => (id < 250 ? id : null)));
  });
});
