import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runKey } from '../../../../lambdas/experiments/keys';
import { ScanRunSearchIndex } from '../../../../lambdas/shared/adapters/aws/scan-run-search-index';
import { SqliteMetadataStore } from '../../../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { SqliteRunSearchIndex } from '../../../../lambdas/shared/adapters/embedded/sqlite-run-search-index';
import {
  compileRunComparator,
  compileRunPredicate,
} from '../../../../lambdas/shared/adapters/run-search-predicate';
import { sortableIdGenerator } from '../../../../lambdas/shared/ids';
import {
  type Comparison,
  type OrderKey,
  RUN_STATUSES,
  type RunField,
  type RunRecord,
  type RunSearchQuery,
  runRecordToJson,
} from '../../../../lambdas/shared/ports/run-search-index';
import { manualClock } from '../../../support/clock';

// Small pools, so that random runs and random filters meet: equal values, case variants, non-BMP
// characters (code point vs UTF-16 order), GLOB's special characters inside LIKE patterns.
const KEYS = ['a', 'b', 'c'] as const;
const STRINGS = [
  '',
  'x',
  'X',
  'xy',
  'x%',
  'a_b',
  'é',
  'É',
  '\uFF5E',
  '😀',
  '10',
  '9',
  '*',
  '?x',
  '[x]',
  'alice',
  'Bob',
  'RUNNING',
  'FINISHED',
];
const PATTERNS = ['%', 'x%', '%x', '_', 'x_', '%é%', 'X%', '', '%[%', '*', '?%', '_😀', '%\uFF5E', 'a\\_b'];
const EXPERIMENTS = ['01KB0000000000000000000000', '01KB0000000000000000000001'] as const;
const T0_AT = '2026-11-28T00:00:00.000Z';
const T0 = Date.parse(T0_AT);

const number = fc.oneof(
  { arbitrary: fc.constantFrom(-2, -0.5, 0, 0.5, 1, 2, 1e-3, 123.456), weight: 3 },
  {
    arbitrary: fc
      .double({ min: -1e6, max: 1e6, noNaN: true })
      .filter((v) => v === 0 || Math.abs(v) >= 1e-100),
    weight: 1,
  },
);
// Common values most of the time, so that filters match and orders meet equal values.
const COMMON = ['x', 'X', 'xy', '[x]', '😀', '\uFF5E'];
const string = fc.oneof(
  { arbitrary: fc.constantFrom(...COMMON), weight: 3 },
  { arbitrary: fc.constantFrom(...STRINGS), weight: 1 },
);
const pattern = fc.oneof(
  { arbitrary: fc.constantFrom('x%', 'X%', '%[%', '_', '%x%'), weight: 2 },
  { arbitrary: fc.constantFrom(...PATTERNS), weight: 1 },
);
const key = fc.constantFrom(...KEYS);
const scalarOp = fc.constantFrom('=', '!=', '<', '<=', '>', '>=' as const);

const run = fc.record({
  experiment: fc.integer({ min: 0, max: 1 }),
  name: fc.option(string, { nil: undefined }),
  status: fc.constantFrom(...RUN_STATUSES),
  user: fc.constantFrom('alice', 'Bob'),
  start: fc.integer({ min: 0, max: 3 }),
  end: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
  params: fc.dictionary(key, string, { minKeys: 1, maxKeys: 3 }),
  tags: fc.dictionary(key, string, { maxKeys: 3 }),
  metrics: fc.dictionary(key, number, { minKeys: 1, maxKeys: 3 }),
  // Written, then deleted: the index must forget it.
  ghost: fc.boolean(),
});

// Params and tags most of the time; attributes with values they can hold.
const stringComparand = fc.oneof(
  {
    arbitrary: fc.record({
      field: fc.record({ kind: fc.constantFrom('param', 'tag' as const), key }),
      value: string,
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      field: fc.constant({ kind: 'attribute' as const, key: 'run_name' as const }),
      value: string,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      field: fc.constant({ kind: 'attribute' as const, key: 'status' as const }),
      value: fc.constantFrom(...RUN_STATUSES, 'running'),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      field: fc.constant({ kind: 'attribute' as const, key: 'user_id' as const }),
      value: fc.constantFrom('alice', 'Bob', 'b'),
    }),
    weight: 1,
  },
);
const anyField: fc.Arbitrary<RunField> = fc.oneof(
  fc.record({ kind: fc.constantFrom('param', 'tag', 'metric' as const), key }),
  fc.record({
    kind: fc.constant('attribute' as const),
    key: fc.constantFrom('run_id', 'run_name', 'status', 'user_id', 'start_time', 'end_time' as const),
  }),
);

// Broad: true for every run that has the key, so pages fill within an ordered walk's bound.
const broad: fc.Arbitrary<Comparison> = fc.oneof(
  fc.record({
    field: fc.record({ kind: fc.constant('metric' as const), key }),
    op: fc.constant('>=' as const),
    value: fc.constant(-1e7),
  }),
  fc.record({
    field: fc.record({ kind: fc.constantFrom('param', 'tag' as const), key }),
    op: fc.constant('!=' as const),
    value: fc.constant('none'),
  }),
);

const comparison: fc.Arbitrary<Comparison> = fc.oneof(
  { arbitrary: broad, weight: 3 },
  {
    arbitrary: fc.record({
      field: fc.record({ kind: fc.constant('metric' as const), key }),
      op: scalarOp,
      value: number,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      field: fc.record({
        kind: fc.constant('attribute' as const),
        key: fc.constantFrom('start_time', 'end_time' as const),
      }),
      op: scalarOp,
      value: fc.integer({ min: T0 - 1, max: T0 + 4 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.tuple(stringComparand, scalarOp).map(([c, op]) => ({ ...c, op })), weight: 3 },
  {
    arbitrary: fc
      .tuple(stringComparand, fc.constantFrom('LIKE', 'ILIKE' as const), pattern)
      .map(([c, op, value]) => ({ field: c.field, op, value })),
    weight: 3,
  },
  {
    arbitrary: fc
      .tuple(
        stringComparand,
        fc.constantFrom('IN', 'NOT IN' as const),
        fc.array(string, { minLength: 1, maxLength: 3 }),
      )
      .map(([c, op, values]) => ({ field: c.field, op, values: [c.value, ...values] })),
    weight: 2,
  },
) as fc.Arbitrary<Comparison>;

const search = fc.record({
  experiments: fc.constantFrom([0], [1], [0, 1], [1, 0, 1]),
  filter: fc.array(comparison, { maxLength: 2 }),
  orderBy: fc.array(fc.record({ field: anyField, descending: fc.boolean() }), {
    maxLength: 3,
  }) as fc.Arbitrary<OrderKey[]>,
  limit: fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: 8 }), weight: 1 },
  ),
  offset: fc.oneof(
    { arbitrary: fc.constant(0), weight: 2 },
    { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 1 },
  ),
});

/** What every adapter must return: the in-memory predicate and comparator over the live runs. */
const expected = (runs: readonly RunRecord[], query: RunSearchQuery) => {
  const matches = compileRunPredicate(query.filter);
  const all = runs
    .filter((r) => query.experimentIds.includes(r.experimentId) && matches(r))
    .sort(compileRunComparator(query.orderBy));
  return {
    ids: all.slice(query.offset, query.offset + query.limit).map((r) => r.runId),
    more: all.length > query.offset + query.limit,
  };
};

type Value<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Generated = Value<typeof run>;
type Tuning = NonNullable<NonNullable<ConstructorParameters<typeof SqliteRunSearchIndex>[0]['tuning']>>;

/** Writes the runs as the core writes them (each first in an older version), searches, compares. */
const check = async (generated: readonly Generated[], query: RunSearchQuery, tuning: Tuning) => {
  const clock = manualClock(T0_AT);
  const store = new SqliteMetadataStore({ path: ':memory:', clock });
  try {
    const index = new SqliteRunSearchIndex({ database: store.database, tuning });
    const newId = sortableIdGenerator(clock);
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

    const sqlite = await index.search(query);
    const scan = await new ScanRunSearchIndex({ store }).search(query);

    const want = expected(live, query);
    expect({ ids: sqlite.runs.map((r) => r.runId), more: sqlite.more }).toEqual(want);
    expect({ ids: scan.runs.map((r) => r.runId), more: scan.more }).toEqual(want);
    expect(sqlite.runs).toEqual(scan.runs);
  } finally {
    store.close();
  }
};

const toQuery = (s: Value<typeof search>): RunSearchQuery => ({
  experimentIds: s.experiments.map((i) => EXPERIMENTS[i]!),
  filter: s.filter,
  orderBy: s.orderBy,
  limit: s.limit,
  offset: s.offset,
});

describe('run search: SQL on SQLite equals the in-memory predicate', () => {
  it('on random runs, filters, orders and pages, whatever plan the planner picks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(run, { minLength: 8, maxLength: 30 }),
        search,
        // The planner's constants: tiny caps bound every walk, threshold 0 always tries the ordered walk,
        // an infinite walk factor never skips it for equal values.
        fc.record({
          estimateCap: fc.constantFrom(1, 2, 5, 20_000),
          densityThreshold: fc.constantFrom(0, 4),
          walkFactor: fc.constantFrom(2, Number.POSITIVE_INFINITY),
        }),
        (generated, s, tuning) => check(generated, toQuery(s), tuning),
      ),
      { numRuns: 300 },
    );
  });

  it('when the planner walks the order of one experiment and stops at a bound', async () => {
    const orderable = fc.oneof(
      fc.record({ kind: fc.constantFrom('metric', 'param', 'tag' as const), key }),
      fc.constant({ kind: 'attribute' as const, key: 'start_time' as const }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          run.map((r) => ({ ...r, experiment: 0 })),
          { minLength: 8, maxLength: 30 },
        ),
        fc.record({
          experiments: fc.constant([0]),
          filter: fc.tuple(broad, fc.array(comparison, { maxLength: 1 })).map(([b, rest]) => [b, ...rest]),
          orderBy: fc
            .array(fc.record({ field: anyField, descending: fc.boolean() }), { maxLength: 2 })
            .chain((rest) =>
              fc
                .record({ field: orderable, descending: fc.boolean() })
                .map((first) => [first, ...rest] as OrderKey[]),
            ),
          limit: fc.integer({ min: 1, max: 3 }),
          offset: fc.integer({ min: 0, max: 2 }),
        }),
        fc.record({
          estimateCap: fc.integer({ min: 2, max: 12 }),
          densityThreshold: fc.constant(0),
          walkFactor: fc.constantFrom(2, Number.POSITIVE_INFINITY),
        }),
        (generated, s, tuning) => check(generated, toQuery(s), tuning),
      ),
      { numRuns: 300 },
    );
  });
});
