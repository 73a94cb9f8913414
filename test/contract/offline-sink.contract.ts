/**
 * What every OfflineSink adapter must write: Parquet files under
 * offline/<group>/v<version>/event_date=YYYY-MM-DD/<batch>.parquet, with the entity keys as strings,
 * the event time as a timestamp, each feature with its type, then ingested_at, ingest_batch and ingest_row.
 */
import { parquetMetadata } from 'hyparquet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeParquet } from '../../lambdas/features/offline/parquet';
import type { OfflineSink } from '../../lambdas/shared/ports/offline-sink';
import { type ManualClock, manualClock } from '../support/clock';
import { countingIds, feature, featureGroup } from '../support/feature-groups';

export interface OfflineSinkFixture {
  readonly sink: OfflineSink;
  /** Every file written so far: key below the offline root's parent (offline/...) and bytes, by key. */
  files(): Promise<{ key: string; body: Uint8Array }[]>;
  dispose(): Promise<void>;
}

export type OfflineSinkFactory = (deps: {
  clock: ManualClock;
  newBatchId: () => string;
}) => Promise<OfflineSinkFixture>;

const group = featureGroup({
  name: 'user_stats',
  version: 3,
  entityKeys: ['user_id', 'region'],
  eventTimeField: 'ts',
  features: [
    feature('amount', 'float'),
    feature('count', 'int'),
    feature('tier', 'string'),
    feature('vip', 'bool'),
  ],
});

export const describeOfflineSinkContract = (name: string, makeSink: OfflineSinkFactory) =>
  describe(`OfflineSink contract: ${name}`, () => {
    let fixture: OfflineSinkFixture;
    let clock: ManualClock;

    beforeEach(async () => {
      clock = manualClock('2026-02-01T10:00:00.000Z');
      fixture = await makeSink({ clock, newBatchId: countingIds() });
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    it('writes one Parquet file per UTC event date, partitioned as event_date=YYYY-MM-DD', async () => {
      await fixture.sink.append(group, [
        {
          user_id: 'u1',
          region: 'eu',
          ts: '2026-01-30T23:59:59.999Z',
          amount: 1.5,
          count: 1,
          tier: 'a',
          vip: true,
        },
        {
          user_id: 'u2',
          region: 'eu',
          ts: '2026-01-31T00:00:00.000Z',
          amount: 2,
          count: 2,
          tier: 'b',
          vip: false,
        },
        {
          user_id: 'u3',
          region: 'us',
          ts: '2026-01-30T00:00:00.000Z',
          amount: null,
          count: null,
          tier: null,
          vip: null,
        },
      ]);

      const files = await fixture.files();

      expect(files.map((file) => file.key)).toEqual([
        'offline/user_stats/v3/event_date=2026-01-30/b0000000001.parquet',
        'offline/user_stats/v3/event_date=2026-01-31/b0000000001.parquet',
      ]);
      expect(await decodeParquet(files[0]!.body)).toEqual([
        {
          user_id: 'u1',
          region: 'eu',
          ts: new Date('2026-01-30T23:59:59.999Z'),
          amount: 1.5,
          count: 1n,
          tier: 'a',
          vip: true,
          ingested_at: new Date('2026-02-01T10:00:00.000Z'),
          ingest_batch: 'b0000000001',
          ingest_row: 0n,
        },
        {
          user_id: 'u3',
          region: 'us',
          ts: new Date('2026-01-30T00:00:00.000Z'),
          amount: null,
          count: null,
          tier: null,
          vip: null,
          ingested_at: new Date('2026-02-01T10:00:00.000Z'),
          ingest_batch: 'b0000000001',
          ingest_row: 2n,
        },
      ]);
    });

    it('types the columns: keys as strings (no key: null), the event time and ingested_at as timestamps, features by type', async () => {
      await fixture.sink.append(group, [
        {
          user_id: 42,
          region: 1.5,
          ts: '2026-01-30T12:00:00.000Z',
          amount: 1,
          count: 7,
          tier: 'x',
          vip: false,
        },
      ]);

      const [file] = await fixture.files();
      const schema = parquetMetadata(file!.body.slice().buffer).schema.slice(1);

      expect(schema.map((element) => [element.name, element.type, element.converted_type])).toEqual([
        ['user_id', 'BYTE_ARRAY', 'UTF8'],
        ['region', 'BYTE_ARRAY', 'UTF8'],
        ['ts', 'INT64', 'TIMESTAMP_MILLIS'],
        ['amount', 'DOUBLE', undefined],
        ['count', 'INT64', undefined],
        ['tier', 'BYTE_ARRAY', 'UTF8'],
        ['vip', 'BOOLEAN', undefined],
        ['ingested_at', 'INT64', 'TIMESTAMP_MILLIS'],
        ['ingest_batch', 'BYTE_ARRAY', 'UTF8'],
        ['ingest_row', 'INT64', undefined],
      ]);
      expect(await decodeParquet(file!.body)).toMatchObject([{ user_id: '42', region: null }]);
    });

    it('keeps every batch in its own file, stamped with its own ingestion time', async () => {
      const record = {
        user_id: 'u1',
        region: 'eu',
        ts: '2026-01-30T12:00:00.000Z',
        amount: 1,
        count: 1,
        tier: 'a',
        vip: true,
      };
      await fixture.sink.append(group, [record]);
      clock.set('2026-02-01T11:00:00.000Z');
      await fixture.sink.append(group, [{ ...record, amount: 2 }]);

      const rows = (
        await Promise.all((await fixture.files()).map((file) => decodeParquet(file.body)))
      ).flat();

      expect(rows.map((row) => [row.amount, row.ingested_at, row.ingest_batch, row.ingest_row])).toEqual([
        [1, new Date('2026-02-01T10:00:00.000Z'), 'b0000000001', 0n],
        [2, new Date('2026-02-01T11:00:00.000Z'), 'b0000000002', 0n],
      ]);
    });

    it('writes nothing for an empty batch', async () => {
      await fixture.sink.append(group, []);

      expect(await fixture.files()).toEqual([]);
    });

    it('refuses a record whose event time is not a time, and writes nothing of its batch', async () => {
      const good = {
        user_id: 'u1',
        region: 'eu',
        ts: '2026-01-30T12:00:00.000Z',
        amount: 1,
        count: 1,
        tier: 'a',
        vip: true,
      };

      await expect(fixture.sink.append(group, [good, { ...good, ts: 'yesterday' }])).rejects.toThrow(
        /ts is not a time/,
      );
      expect(await fixture.files()).toEqual([]);
    });
  });
