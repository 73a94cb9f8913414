import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addValue,
  binarySummary,
  EMPTY_SUMMARY,
  mergeAll,
  mergeSummaries,
  type OutcomeSummary,
  sampleVariance,
  summarize,
  summaryFromMoments,
  summaryMean,
} from '../../../../lambdas/deployments/experiment';
import { ValidationError } from '../../../../lambdas/shared/errors';

/** Two summaries of the same values, computed in different orders: equal up to rounding. */
const expectSameSummary = (actual: OutcomeSummary, expected: OutcomeSummary, scale: number) => {
  expect(actual.count).toBe(expected.count);
  expect(Math.abs(actual.sum - expected.sum)).toBeLessThanOrEqual(1e-9 * scale * Math.max(1, actual.count));
  expect(Math.abs(actual.m2 - expected.m2)).toBeLessThanOrEqual(
    1e-9 * Math.max(1, expected.m2, scale * scale),
  );
};

const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 60 });
/** Values around a large offset: where the textbook Σx² − (Σx)²/n loses every digit. */
const offsetValues = fc.array(
  fc.double({ min: -1, max: 1, noNaN: true }).map((x) => 1e9 + x),
  { maxLength: 60 },
);

describe('outcome summaries (Welford, Chan et al. merge)', () => {
  it('merging the summaries of shards equals the summary of all values', () => {
    fc.assert(
      fc.property(fc.array(values, { minLength: 1, maxLength: 6 }), (shards) => {
        const merged = mergeAll(shards.map((shard) => summarize(shard)));

        expectSameSummary(merged, summarize(shards.flat()), 1e6);
      }),
    );
  });

  it('merge = whole holds at a large offset (no catastrophic cancellation)', () => {
    fc.assert(
      fc.property(offsetValues, offsetValues, (a, b) => {
        const whole = summarize([...a, ...b]);
        const merged = mergeSummaries(summarize(a), summarize(b));

        expect(merged.count).toBe(whole.count);
        expect(Math.abs(merged.m2 - whole.m2)).toBeLessThanOrEqual(1e-6 * Math.max(1, whole.count));
      }),
    );
  });

  it('merge is associative up to rounding, commutative exactly, and the empty summary is its identity', () => {
    fc.assert(
      fc.property(values, values, values, (x, y, z) => {
        const [a, b, c] = [summarize(x), summarize(y), summarize(z)];

        expectSameSummary(
          mergeSummaries(mergeSummaries(a, b), c),
          mergeSummaries(a, mergeSummaries(b, c)),
          1e6,
        );
        expect(mergeSummaries(a, b)).toEqual(mergeSummaries(b, a));
        expect(mergeSummaries(a, EMPTY_SUMMARY)).toEqual(a);
        expect(mergeSummaries(EMPTY_SUMMARY, a)).toEqual(a);
      }),
    );
  });

  it('adding values one at a time equals summarising the batch', () => {
    fc.assert(
      fc.property(values, (xs) => {
        expectSameSummary(xs.reduce(addValue, EMPTY_SUMMARY), summarize(xs), 1e6);
      }),
    );
  });

  it('a binary summary is exact and merges to exact counts', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 200 }), fc.nat({ max: 200 }), (outcomes, cut) => {
        const ones = outcomes.map((o) => (o ? 1 : 0));
        const successes = ones.reduce<number>((s, x) => s + x, 0);
        const exact = binarySummary(successes, ones.length);
        const merged = mergeSummaries(summarize(ones.slice(0, cut)), summarize(ones.slice(cut)));

        expect(merged.sum).toBe(successes);
        expect(merged.count).toBe(ones.length);
        expect(Math.abs(merged.m2 - exact.m2)).toBeLessThanOrEqual(1e-9 * Math.max(1, ones.length));
      }),
    );
  });

  it('has defined values for 0 and 1 outcomes and a constant sample', () => {
    expect(summaryMean(EMPTY_SUMMARY)).toBe(0);
    expect(sampleVariance(EMPTY_SUMMARY)).toBe(0);
    expect(sampleVariance(summarize([4.2]))).toBe(0);
    expect(sampleVariance(summarize([3, 3, 3, 3]))).toBe(0);
    expect(summaryFromMoments(5, 2, 1.5)).toEqual({ count: 5, sum: 10, m2: 6 });
  });

  it('refuses outcomes that are not finite numbers and impossible counts', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(ValidationError);
    expect(() => addValue(EMPTY_SUMMARY, Number.POSITIVE_INFINITY)).toThrow(ValidationError);
    expect(() => binarySummary(5, 4)).toThrow(ValidationError);
    expect(() => binarySummary(1.5, 4)).toThrow(ValidationError);
    expect(() => summaryFromMoments(3, 1, -1)).toThrow(ValidationError);
  });
});
