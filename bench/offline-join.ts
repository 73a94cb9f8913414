// Point-in-time join cost on the local platform (DuckDB over the offline store's Parquet files),
// beside floors measured in the same run on the same files:
// - floor: DuckDB scanning every history file and the entities file once (read_parquet, a sum of one
//   feature column and a count), which any join over them must at least do;
// - the join: DuckDbTrainingSetEngine.pointInTime on the same plan;
// - end to end: createTrainingSet (entities typed and written as Parquet, the join, the canonical
//   NDJSON hash, the result written as Parquet to the object store).
// History: ENTITIES entities × HISTORY records each, spread over 30 days, ingested in 10 batches.
// Run: node --import tsx bench/offline-join.ts   (BENCH_ROWS, BENCH_ENTITIES, BENCH_HISTORY, BENCH_RUNS)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, listValue } from '@duckdb/node-api';
import {
  createTrainingSet,
  type TrainingSetDeps,
  trainingSetKeys,
} from '../lambdas/features/training-sets/training-sets';
import { DuckDbTrainingSetEngine } from '../lambdas/shared/adapters/embedded/duckdb-training-set-engine';
import { FileObjectStore } from '../lambdas/shared/adapters/embedded/file-object-store';
import { FileOfflineSink } from '../lambdas/shared/adapters/embedded/file-offline-sink';
import { sortableIdGenerator } from '../lambdas/shared/ids';
import { systemClock } from '../lambdas/shared/ports/clock';
import type { FeatureGroupVersion } from '../lambdas/shared/ports/feature-group-version';
import type { TrainingSetPlan } from '../lambdas/shared/ports/training-set-engine';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 10_000);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00.000Z');

// A fixed-seed generator, so that runs compare.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const group: FeatureGroupVersion = {
  name: 'bench_users',
  version: 1,
  description: '',
  owner: 'bench',
  entityKeys: ['user_id'],
  eventTimeField: 'event_time',
  features: [
    { name: 'f0', type: 'float', nullable: true },
    { name: 'f1', type: 'float', nullable: true },
    { name: 'f2', type: 'int', nullable: true },
    { name: 'f3', type: 'string', nullable: true },
    { name: 'f4', type: 'bool', nullable: true },
  ],
  ttlSeconds: 7 * 86_400,
  createdAt: new Date(START).toISOString(),
  createdBy: 'bench',
};

const median = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN;
const time = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return performance.now() - started;
};

const home = process.env.BENCH_KEEP ?? mkdtempSync(join(tmpdir(), 'bench-offline-join-'));
try {
  const objects = new FileObjectStore({ root: join(home, 'objects'), clock: systemClock });
  const engine = new DuckDbTrainingSetEngine({ root: home, objects });
  const deps: TrainingSetDeps = {
    objects,
    engine,
    clock: systemClock,
    newId: sortableIdGenerator(systemClock),
  };
  const sink = new FileOfflineSink({ root: home, clock: systemClock });

  const ingestStarted = performance.now();
  const total = ENTITIES * HISTORY;
  const batch = Math.ceil(total / 10);
  for (let offset = 0; offset < total; offset += batch) {
    const records = [];
    for (let i = offset; i < Math.min(total, offset + batch); i++) {
      records.push({
        user_id: `u${i % ENTITIES}`,
        event_time: new Date(START + Math.floor(random() * 30 * DAY_MS)).toISOString(),
        f0: random(),
        f1: random() < 0.1 ? null : random() * 100,
        f2: Math.floor(random() * 1000),
        f3: `s${Math.floor(random() * 50)}`,
        f4: random() < 0.5,
      });
    }
    await sink.append(group, records);
  }
  const ingestMs = performance.now() - ingestStarted;

  const entities = Array.from({ length: ROWS }, (_, i) => ({
    user_id: `u${Math.floor(random() * ENTITIES * 1.1)}`, // about 10% unknown
    eventTime: new Date(START + Math.floor(random() * 35 * DAY_MS)).toISOString(),
    label: i % 2,
  }));
  const features = group.features.map((feature) => ({ group, feature: feature.name }));

  // One warm-up end to end, which also leaves the entities file for the floor and the bare join.
  const warm = await createTrainingSet(deps, { features, entities });
  const entitiesKey = trainingSetKeys(warm.id).entities;
  const plan: TrainingSetPlan = {
    entitiesKey,
    entityColumns: [
      { name: '__mlops_c0', type: 'string' },
      { name: '__mlops_c1', type: 'string' },
      { name: '__mlops_c2', type: 'int' },
    ],
    keyNames: ['user_id'],
    groups: [group],
    features: group.features.map((feature) => ({ group: 0, feature: feature.name })),
  };
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const files = (await import('node:fs/promises')).readdir(join(home, 'offline', group.name, 'v1'), {
    recursive: true,
  });
  const historyFiles = (await files)
    .filter((f) => f.endsWith('.parquet'))
    .map((f) => join(home, 'offline', group.name, 'v1', f));
  const floor = () =>
    connection.runAndReadAll(
      `SELECT (SELECT count(*) + sum(f0) FROM read_parquet($1)), (SELECT count(*) FROM read_parquet($2))`,
      [listValue(historyFiles), fileURLToPath(objects.uriOf(entitiesKey))],
    );

  const floorMs: number[] = [];
  const joinMs: number[] = [];
  const endToEndMs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    floorMs.push(await time(floor));
    joinMs.push(await time(() => engine.pointInTime(plan)));
    endToEndMs.push(await time(() => createTrainingSet(deps, { features, entities })));
  }
  connection.closeSync();
  db.closeSync();
  await engine.close();

  const f = median(floorMs);
  const j = median(joinMs);
  const e = median(endToEndMs);
  console.log(
    `history: ${ENTITIES} entities × ${HISTORY} records = ${total} rows in ${historyFiles.length} files (ingested in ${(ingestMs / 1000).toFixed(1)} s, ${Math.round(total / (ingestMs / 1000))} records/s through FileOfflineSink)`,
  );
  console.log(`entity rows: ${ROWS}; 5 features; TTL 7 days; median of ${RUNS} runs`);
  console.log(`| what | median | × floor |`);
  console.log(`|---|---|---|`);
  console.log(`| floor: DuckDB scan of the history and entities files | ${f.toFixed(0)} ms | 1.0 |`);
  console.log(
    `| point-in-time join (DuckDbTrainingSetEngine) | ${j.toFixed(0)} ms | ${(j / f).toFixed(1)} |`,
  );
  console.log(`| createTrainingSet end to end | ${e.toFixed(0)} ms | ${(e / f).toFixed(1)} |`);
  console.log(`sha256 of the warm-up set: ${warm.sha256} (rows: ${warm.rowCount})`);
} finally {
  if (!process.env.BENCH_KEEP) rmSync(home, { recursive: true, force: true });
}
