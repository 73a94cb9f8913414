import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runKey } from '../../lambdas/experiments/keys';
import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { SqliteRunSearchIndex } from '../../lambdas/shared/adapters/embedded/sqlite-run-search-index';
import { compileRunComparator, compileRunPredicate } from '../../lambdas/shared/adapters/run-search-predicate';
import { ScanRunSearchIndex } from '../../lambdas/shared/adapters/scan-run-search-index';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import {
  type Comparison,
  type OrderKey,
  RUN_STATUSES,
  type RunField,
  type RunRecord,
  type RunSearchQuery,
  runRecordToJson,
} from '../../lambdas/shared/ports/run-search-index';

// Small pools, so that random runs and random filters meet: equal values, case variants, non-BMP
// characters (code point vs UTF-16 order), GLOB's special characters inside LIKE patterns.
const KEYS = ['a', 'b', 'c'] as const;
const STRINGS = ['', 'x', 'X', 'xy', 'x%', 'a_b', 'é', 'É', '\uFF5E', '😀', '10', '9', '*', '?x', '[x]', 'alice', 'Bob', 'RUNNING', 'FINISHED'];
const PATTERNS = ['%', 'x%', '%x', '_', 'x_', '%é%', 'X%', '', '%[%', '*', '?%', '_😀', '%\uFF5E', 'a\\_b'];
const EXPERIMENTS = ['01KB0000000000000000000000', '01KB0000000000000000000001'] as const;
const T0 = Date.UTC(2026, 10, 28);

const number = fc.oneof(
  fc.constantFrom(-2, -0.5, 0, 0.5, 1, 2, 1e-3, 123.456),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((v) => v === 0 || Math.abs(v) >= 1e-100),
);
const string = fc.constantFrom(...STRINGS);
const key = fc.constantFrom(...KEYS);
const scalarOp = fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const);

const run = fc.record({
  experiment: fc.integer({ min: 0, max: 1 }),
  name: fc.option(string, { nil: undefined }),
  status: fc.constantFrom(...RUN_STATUSES),
  user: fc.constantFrom('alice', 'Bob'),
  start: fc.integer({ min: 0, max: 3 }),
  end: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  params: fc.dictionary(key, string, { maxKeys: 3 }),
  tags: fc.dictionary(key, string, { maxKeys: 3 }),
  metrics: fc.dictionary(key, number, { maxKeys: 3 }),
  // Written, then deleted: the index must forget it.
  ghost: fc.boolean(),
});

const stringField: fc.Arbitrary<RunField> = fc.oneof(
  fc.record({ kind: fc.constantFrom('param', 'tag' as const), key }),
  fc.record({ kind: fc.constant('attribute' as const), key: fc.constantFrom('run_id', 'run_name', 'status', 'user_id' as const) }),
);
const anyField: fc.Arbitrary<RunField> = fc.oneof(
  stringField,
  fc.record({ kind: fc.constant('metric' as const), key }),
  fc.record({ kind: fc.constant('attribute' as const), key: fc.constantFrom('start_time', 'end_time' as const) }),
);

const comparison: fc.Arbitrary<Comparison> = fc.oneof(
  fc.record({ field: fc.record({ kind: fc.constant('metric' as const), key }), op: scalarOp, value: number }),
  fc.record({
    field: fc.record({ kind: fc.constant('attribute' as const), key: fc.constantFrom('start_time', 'end_time' as const) }),
    op: scalarOp,
    value: fc.integer({ min: T0 - 1, max: T0 + 4 }),
  }),
  fc.record({ field: stringField, op: scalarOp, value: string }),
  fc.record({ field: stringField, op: fc.constantFrom('LIKE', 'ILIKE' as const), value: fc.constantFrom(...PATTERNS) }),
  fc.record({ field: stringField, op: fc.constantFrom('IN', 'NOT IN' as const), values: fc.array(string, { minLength: 1, maxLength: 3 }) }),
) as fc.Arbitrary<Comparison>;

const search = fc.record({
  experiments: fc.constantFrom([0], [1], [0, 1], [1, 0, 1]),
  filter: fc.array(comparison, { maxLength: 3 }),
  orderBy: fc.array(fc.record({ field: anyField, descending: fc.boolean() }), { maxLength: 3 }) as fc.Arbitrary<OrderKey[]>,
  limit: fc.integer({ min: 1, max: 8 }),
  offset: fc.integer({ min: 0, max: 12 }),
});

/** What every adapter must return: the in-memory predicate and comparator over the live runs. */
const expected = (runs: readonly RunRecord[], query: RunSearchQuery) => {
  const matches = compileRunPredicate(query.filter);
  const all = runs
    .filter((r) => query.experimentIds.includes(r.experimentId) && matches(r))
    .sort(compileRunComparator(query.orderBy));
  return { ids: all.slice(query.offset, query.offset + query.limit).map((r) => r.runId), more: all.length > query.offset + query.limit };
};

describe('run search: SQL on SQLite equals the in-memory predicate', () => {
  it('on random runs, filters, orders and pages, whatever plan the planner picks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(run, { maxLength: 25 }),
        search,
        fc.constantFrom(1, 2, 3, 20_000),
        async (generated, s, estimateCap) => {
          // Prepare: runs written as the core writes them, each first in an older version.
          const store = new SqliteMetadataStore({ path: ':memory:' });
          try {
            const index = new SqliteRunSearchIndex({ database: store.database, tuning: { estimateCap } });
            const newId = sortableIdGenerator({ now: () => new Date(T0) });
            const live: RunRecord[] = [];
            for (const g of generated) {
              const record: RunRecord = {
                runId: newId(),
                experimentId: EXPERIMENTS[g.experiment]!,
                ...(g.name === undefined ? {} : { name: g.name }),
                status: g.status,
                userId: g.user,
                startTime: T0 + g.start,
                ...(g.end === undefined ? {} : { endTime: T0 + g.end }),
                params: g.params,
                tags: g.tags,
                metrics: Object.fromEntries(
                  Object.entries(g.metrics).map(([k, value]) => [k, { value, step: 0, timestamp: T0 }]),
                ),
                modelVersions: [],
                createdAt: new Date(T0).toISOString(),
                updatedAt: new Date(T0).toISOString(),
              };
              const key = runKey(record.experimentId, record.runId);
              const older = { ...record, params: { stale: 'yes' }, metrics: {}, status: 'RUNNING' as const };
              await store.put({ ...key, data: runRecordToJson(older) });
              await store.put({ ...key, data: runRecordToJson(record) });
              if (g.ghost) await store.delete(key);
              else live.push(record);
            }
            const query: RunSearchQuery = {
              experimentIds: s.experiments.map((i) => EXPERIMENTS[i]!),
              filter: s.filter,
              orderBy: s.orderBy,
              limit: s.limit,
              offset: s.offset,
            };

            // Act
            const sqlite = await index.search(query);
            const scan = await new ScanRunSearchIndex({ store }).search(query);

            // Assess
            const want = expected(live, query);
            expect({ ids: sqlite.runs.map((r) => r.runId), more: sqlite.more }).toEqual(want);
            expect({ ids: scan.runs.map((r) => r.runId), more: scan.more }).toEqual(want);
            expect(sqlite.runs).toEqual(scan.runs);
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
