/**
 * Property: after any history of records ingested in any order — shuffled, split into batches, the
 * batches racing each other — an online read equals a brute-force oracle: per entity the newest event
 * (ties at one event time: the greater values text, the row's JSON array), EXPIRED when older than the
 * TTL at read time, MISSING for entities never ingested.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayElements } from '../../../../lambdas/features/online/online';
import { SqliteMetadataStore } from '../../../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { manualClock } from '../../../support/clock';
import { featuresFixture, groupBody } from '../../../support/features';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');

const event = fc.record({
  id: fc.integer({ min: 0, max: 5 }),
  // Seconds before NOW; a small range so that equal event times (ties) happen often.
  ago: fc.integer({ min: 0, max: 40 }).map((n) => n * 90),
  spend: fc.constantFrom(1, 2.5, 3, null),
  orders: fc.integer({ min: 0, max: 3 }),
  tier: fc.constantFrom('gold', 'silver', null),
});

const history = fc.record({
  events: fc.array(event, { minLength: 0, maxLength: 40 }),
  ttlSeconds: fc.option(fc.constantFrom(60, 900, 1800, 3600), { nil: undefined }),
  // Often exactly on a TTL edge (event ages are multiples of 90 s): age == TTL is PRESENT, one more second is not.
  readAfterSeconds: fc.oneof(
    fc.integer({ min: 0, max: 3600 }),
    fc.constantFrom(0, 60, 810, 900, 1710, 1800, 3600),
  ),
  batches: fc.integer({ min: 1, max: 6 }),
  concurrent: fc.boolean(),
  seed: fc.integer(),
});

type Event = { id: number; ago: number; spend: number | null; orders: number; tier: string | null };

const oracle = (events: readonly Event[], ids: readonly number[], ttl: number | undefined, readMs: number) =>
  ids.map((id) => {
    const mine = events.filter((e) => e.id === id);
    if (mine.length === 0) return { status: 'MISSING', spend: null, eventTime: null };
    // The row's values in layout order (the group's feature order); ASCII, so UTF-16 order is byte order.
    const valuesOf = (e: Event) => JSON.stringify([e.spend, e.orders, e.tier]);
    const newest = mine.reduce((best, e) =>
      e.ago < best.ago || (e.ago === best.ago && valuesOf(e) > valuesOf(best)) ? e : best,
    );
    const eventMs = NOW - newest.ago * 1000;
    const eventTime = new Date(eventMs).toISOString();
    if (ttl !== undefined && readMs - eventMs > ttl * 1000)
      return { status: 'EXPIRED', spend: null, eventTime };
    return { status: 'PRESENT', spend: newest.spend, eventTime };
  });

/** A deterministic shuffle from a seed (fast-check shrinks the seed, not Math.random). */
const shuffle = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

describe('features: online reads against an oracle', () => {
  it('equal the newest event per entity, with EXPIRED and MISSING, after out-of-order ingestion', async () => {
    await fc.assert(
      fc.asyncProperty(
        history,
        async ({ events, ttlSeconds, readAfterSeconds, batches, concurrent, seed }) => {
          const clock = manualClock(new Date(NOW).toISOString());
          const store = new SqliteMetadataStore({ path: ':memory:', clock });
          try {
            const f = featuresFixture(() => store, { clock });
            await f.call('POST /feature-groups', {
              body: groupBody({
                ttlSeconds,
                features: groupBody().features.map((s) => ({
                  ...s,
                  min: undefined,
                  allowed: undefined,
                  nullable: true,
                })),
              }),
            });
            const records = shuffle(events, seed).map((e) => ({
              customer_id: e.id,
              ts: new Date(NOW - e.ago * 1000).toISOString(),
              spend: e.spend,
              orders: e.orders,
              tier: e.tier,
            }));
            const size = Math.max(1, Math.ceil(records.length / batches));
            const chunks: (typeof records)[] = [];
            for (let i = 0; i < records.length; i += size) chunks.push(records.slice(i, i + size));
            const send = (chunk: typeof records) =>
              f.call('POST /feature-groups/{name}/records', {
                params: { name: 'customer' },
                body: { records: chunk },
              });
            if (concurrent) await Promise.all(chunks.map(send));
            else for (const chunk of chunks) await send(chunk);

            clock.advance(readAfterSeconds * 1000);
            const ids = [0, 1, 2, 3, 4, 5, 99];
            const out = await f.call('POST /features/online', {
              body: { features: ['customer:spend'], entities: ids.map((id) => ({ customer_id: id })) },
            });

            const got = out.json.results.map(
              (r: {
                features: Record<string, { status: string; value: unknown; eventTime: string | null }>;
              }) => {
                const reading = r.features['customer:spend'];
                return { status: reading?.status, spend: reading?.value, eventTime: reading?.eventTime };
              },
            );
            expect(got).toEqual(oracle(events, ids, ttlSeconds, clock.now().getTime()));
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('features: the online row scanner', () => {
  it('finds every element of a row, however its strings are escaped, and nothing in what is not an array', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('', ',', '"', '\\', '\\"', '"]', '[,]'),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(scalar, { maxLength: 20 }), (values) => {
        const text = JSON.stringify(values);
        const bounds: number[] = [];

        const count = arrayElements(text, bounds);

        expect(count).toBe(values.length);
        values.forEach((value, i) => {
          expect(text.slice(bounds[2 * i], bounds[2 * i + 1])).toBe(JSON.stringify(value));
        });
      }),
      { numRuns: 500 },
    );
    expect(arrayElements('{"spend":1}', [])).toBe(0);
  });
});
