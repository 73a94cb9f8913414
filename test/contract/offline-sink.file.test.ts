import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { FileOfflineSink } from '../../lambdas/shared/adapters/embedded/file-offline-sink';
import { manualClock } from '../support/clock';
import { countingIds, feature, featureGroup } from '../support/feature-groups';
import { describeOfflineSinkContract } from './offline-sink.contract';

const filesUnder = async (root: string) => {
  const names = (await readdir(root, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) =>
      join(entry.parentPath, entry.name)
        .slice(root.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
  return Promise.all(
    names.map(async (key) => ({ key, body: new Uint8Array(await readFile(join(root, key))) })),
  );
};

describeOfflineSinkContract('files', async ({ clock, newBatchId }) => {
  const root = await mkdtemp(join(tmpdir(), 'offline-sink-'));
  return {
    sink: new FileOfflineSink({ root, clock, newBatchId }),
    files: () => filesUnder(root),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FileOfflineSink', () => {
  it('writes files DuckDB reads with the group types', async () => {
    const root = await mkdtemp(join(tmpdir(), 'offline-sink-'));
    try {
      const group = featureGroup({
        name: 'g',
        features: [feature('f', 'float'), feature('i', 'int'), feature('s', 'string'), feature('b', 'bool')],
      });
      const sink = new FileOfflineSink({
        root,
        clock: manualClock('2026-02-01T00:00:00.000Z'),
        newBatchId: countingIds(),
      });
      await sink.append(group, [
        {
          user_id: 'u1',
          event_time: '2026-01-05T01:02:03.004Z',
          f: 0.25,
          i: 9007199254740991,
          s: 'é',
          b: true,
        },
      ]);
      const db = await DuckDBInstance.create(':memory:');
      const connection = await db.connect();

      const result = await connection.runAndReadAll(
        `SELECT *, typeof(event_time) AS t, typeof(i) AS ti, typeof(f) AS tf, typeof(b) AS tb
           FROM read_parquet($1, hive_partitioning = false)`,
        [join(root, 'offline/g/v1/*/*.parquet')],
      );

      expect(result.getRowObjectsJS()).toEqual([
        {
          user_id: 'u1',
          event_time: new Date('2026-01-05T01:02:03.004Z'),
          f: 0.25,
          i: 9007199254740991n,
          s: 'é',
          b: true,
          ingested_at: new Date('2026-02-01T00:00:00.000Z'),
          ingest_batch: 'b0000000001',
          ingest_row: 0n,
          t: 'TIMESTAMP',
          ti: 'BIGINT',
          tf: 'DOUBLE',
          tb: 'BOOLEAN',
        },
      ]);
      connection.closeSync();
      db.closeSync();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
