/**
 * The point-in-time join on DuckDB equals a brute-force oracle on random histories: out-of-order
 * ingestion over many batches, equal event times (the record ingested last wins, as the oracle says),
 * ingestion times that tie across batches, TTL edges (times on a 500 ms grid, TTLs of whole seconds,
 * entity times a millisecond off the grid), unknown and null entities, two groups with different keys
 * (one of them composite), number and string spellings of the same key.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyTextOf } from '../../lambdas/features/offline/layout';
import {
  canonicalLine,
  createTrainingSet,
  trainingSetRows,
} from '../../lambdas/features/training-sets/training-sets';
import { DuckDbTrainingSetEngine } from '../../lambdas/shared/adapters/embedded/duckdb-training-set-engine';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import { FileOfflineSink } from '../../lambdas/shared/adapters/embedded/file-offline-sink';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import type { FeatureGroupVersion } from '../../lambdas/shared/ports/feature-group-version';
import { manualClock } from '../support/clock';
import { feature, featureGroup } from '../support/feature-groups';

const BASE = Date.parse('2026-01-01T23:59:57.000Z'); // the grid crosses a UTC date: two partitions
const STEP_MS = 500;
const at = (step: number, offsetMs = 0) => new Date(BASE + step * STEP_MS + offsetMs).toISOString();

type History = {
  group: 0 | 1;
  keys: Record<string, unknown>;
  step: number;
  values: Record<string, unknown>;
};

const userKey = fc.constantFrom<unknown>('u1', 'u2', '1', 1, 2);
const merchantKey = fc.record({
  merchant_id: fc.constantFrom<unknown>(1, 2, '3'),
  region: fc.constantFrom('eu', 'us'),
});
const float = fc.oneof(
  fc.constant(null),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.5, -1),
);
const userValues = fc.record({ score: float, name: fc.option(fc.string({ maxLength: 4 }), { nil: null }) });
const merchantValues = fc.record({
  orders: fc.option(fc.integer(), { nil: null }),
  open: fc.option(fc.boolean(), { nil: null }),
});
const record: fc.Arbitrary<History> = fc.oneof(
  fc.record({
    group: fc.constant(0 as const),
    keys: userKey.map((user_id) => ({ user_id })),
    step: fc.nat(8),
    values: userValues,
  }),
  fc.record({ group: fc.constant(1 as const), keys: merchantKey, step: fc.nat(8), values: merchantValues }),
);
/** Another record for the same entity and event time as an earlier one, with new values. */
const restatement = fc.record({ of: fc.nat(), user: userValues, merchant: merchantValues });
const entityRow = fc.record({
  user_id: fc.constantFrom<string | null>('u1', 'u2', '1', '2', 'u9', null),
  merchant_id: fc.constantFrom<number | null>(1, 2, 3, 4, null),
  region: fc.constantFrom('eu', 'us'),
  step: fc.nat(10),
  offsetMs: fc.constantFrom(0, 0, 1, -1),
  label: fc.integer({ min: 0, max: 1 }),
});
const scenario = fc.record({
  ttls: fc.tuple(fc.constantFrom(undefined, 1, 2, 3), fc.constantFrom(undefined, 1, 2)),
  history: fc
    .tuple(fc.array(record, { maxLength: 36 }), fc.array(restatement, { maxLength: 12 }))
    .map(([records, restated]) => [
      ...records,
      ...(records.length === 0
        ? []
        : restated.map(({ of, user, merchant }): History => {
            const original = records[of % records.length] as History;
            return { ...original, values: original.group === 0 ? user : merchant };
          })),
    ]),
  /** Batch of each record (ingestion order = batch order, then order inside the batch). */
  batchOf: fc.array(fc.nat(5), { minLength: 48, maxLength: 48 }),
  /** How far the clock moves before each batch: 0 gives equal ingested_at across batches. */
  clockSteps: fc.array(fc.constantFrom(0, 0, 1, 1000), { minLength: 6, maxLength: 6 }),
  /** Batch ids in an order unrelated to time, so that ingested_at, not the id, decides first. */
  batchIds: fc.shuffledSubarray(
    Array.from({ length: 12 }, (_, i) => `b${String(i).padStart(2, '0')}`),
    { minLength: 12, maxLength: 12 },
  ),
  entities: fc.array(entityRow, { minLength: 1, maxLength: 25 }),
});

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pit-property-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('point-in-time join', () => {
  it('equals the brute-force oracle on random histories', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ ttls, history, batchOf, clockSteps, batchIds, entities }) => {
        const home = join(root, String(run++));
        const groups: FeatureGroupVersion[] = [
          featureGroup({
            name: 'users',
            features: [feature('score', 'float'), feature('name', 'string')],
            ...(ttls[0] === undefined ? {} : { ttlSeconds: ttls[0] }),
          }),
          featureGroup({
            name: 'merchants',
            entityKeys: ['merchant_id', 'region'],
            eventTimeField: 'ts',
            features: [feature('orders', 'int'), feature('open', 'bool')],
            ...(ttls[1] === undefined ? {} : { ttlSeconds: ttls[1] }),
          }),
        ];
        const clock = manualClock('2026-02-01T00:00:00.000Z');
        const objects = new FileObjectStore({ root: join(home, 'objects'), clock });
        const engine = new DuckDbTrainingSetEngine({ root: home, objects });
        const ids = [...batchIds];
        const sink = new FileOfflineSink({ root: home, clock, newBatchId: () => ids.shift() ?? 'none' });

        // Ingest: batches in order, each holding its records in history order (so out of event-time order).
        const ingested: (History & { ingestedAt: number; batchId: string; index: number })[] = [];
        for (let batch = 0; batch < 6; batch++) {
          clock.set(new Date(clock.now().getTime() + (clockSteps[batch] ?? 0)).toISOString());
          for (const group of [0, 1] as const) {
            const records = history.filter((h, i) => h.group === group && batchOf[i] === batch);
            const g = groups[group]!;
            await sink.append(
              g,
              records.map((h) => ({ ...h.keys, [g.eventTimeField]: at(h.step), ...h.values })),
            );
            const batchId = records.length > 0 ? batchIds[batchIds.length - ids.length - 1] : undefined;
            records.forEach((h, index) => {
              ingested.push({
                ...h,
                ingestedAt: clock.now().getTime(),
                batchId: batchId ?? '',
                index,
              });
            });
          }
        }

        const rows = entities.map(({ step, offsetMs, ...row }) => ({
          ...row,
          eventTime: at(step, offsetMs),
        }));
        const features = [
          { group: groups[1]!, feature: 'open' },
          { group: groups[0]!, feature: 'score' },
          { group: groups[0]!, feature: 'name' },
          { group: groups[1]!, feature: 'orders' },
        ];
        const deps = { objects, engine, clock, newId: sortableIdGenerator(clock) };
        const set = await createTrainingSet(deps, { features, entities: rows });
        const actual: string[] = [];
        for await (const line of trainingSetRows(deps, set.id)) actual.push(line);
        await engine.close();

        // The oracle: every record of the group, filtered and ordered by hand.
        const latest = (group: 0 | 1, row: Record<string, unknown>, time: number) => {
          const g = groups[group]!;
          const candidates = ingested.filter((h) => {
            if (h.group !== group) return false;
            if (
              !g.entityKeys.every(
                (key) => keyTextOf(row[key]) !== null && keyTextOf(row[key]) === keyTextOf(h.keys[key]),
              )
            ) {
              return false;
            }
            const eventMs = Date.parse(at(h.step));
            return eventMs <= time && (g.ttlSeconds === undefined || time - eventMs <= g.ttlSeconds * 1000);
          });
          // Latest event time, then latest ingested_at, then greatest batch id, then index in the batch.
          candidates.sort(
            (a, b) =>
              b.step - a.step ||
              b.ingestedAt - a.ingestedAt ||
              (a.batchId < b.batchId ? 1 : a.batchId > b.batchId ? -1 : 0) ||
              b.index - a.index,
          );
          return candidates[0]?.values ?? {};
        };
        const expected = rows.map((row) => {
          const time = Date.parse(row.eventTime);
          const user = latest(0, row, time);
          const merchant = latest(1, row, time);
          return canonicalLine(set.schema, [
            row.user_id,
            row.merchant_id,
            row.region,
            row.label,
            row.eventTime,
            merchant.open ?? null,
            user.score ?? null,
            user.name ?? null,
            merchant.orders ?? null,
          ]);
        });

        expect(set.schema.map((column) => column.name)).toEqual([
          'user_id',
          'merchant_id',
          'region',
          'label',
          'eventTime',
          'merchants__open',
          'users__score',
          'users__name',
          'merchants__orders',
        ]);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
