import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ArmSummaries,
  binarySummary,
  decide,
  type ExperimentInput,
  type ExperimentReport,
  sampleRatioMismatch,
  summarize,
  summaryFromMoments,
  twoProportionZTest,
  welchTTest,
} from '../../../../lambdas/deployments/experiment';
import { ValidationError } from '../../../../lambdas/shared/errors';

const binaryInput = (
  a: [successes: number, trials: number, assigned: number],
  b: [successes: number, trials: number, assigned: number],
  extra: Partial<ExperimentInput> = {},
): ExperimentInput => ({
  metric: 'binary',
  variants: [
    { name: 'v1', weight: 0.5, assigned: a[2], outcomes: binarySummary(a[0], a[1]) },
    { name: 'v2', weight: 0.5, assigned: b[2], outcomes: binarySummary(b[0], b[1]) },
  ],
  minimumDetectableEffect: 0.02,
  ...extra,
});

/** Every number anywhere in the report (intervals, looks, expected counts). */
const numbersOf = (value: unknown): number[] =>
  typeof value === 'number'
    ? [value]
    : value !== null && typeof value === 'object'
      ? Object.values(value).flatMap(numbersOf)
      : [];

const expectOnlyFiniteNumbers = (report: ExperimentReport) => {
  const numbers = numbersOf(report);
  expect(numbers.filter((n) => !Number.isFinite(n))).toEqual([]);
  expect(JSON.parse(JSON.stringify(report))).toEqual(report);
};

describe('decide', () => {
  it('names the winner once the sequential test rejects, with the figures in the reason', () => {
    const report = decide(binaryInput([1000, 10000, 10000], [1250, 10000, 10000]));

    expect(report.decision).toBe('B');
    expect(report.winner).toBe('v2');
    expect(report.sequential.rejected).toBe(true);
    expect(report.sequential.pValue).toBeLessThanOrEqual(0.05);
    expect(report.reason).toMatch(
      /^v2 wins: the sequential test \(mSPRT\) rejected equal proportions at look 1 of 1/,
    );
    expect(report.fixedHorizon?.test).toBe('two-proportion-z');
    expect(report.variants.map((v) => v.metric)).toEqual([0.1, 0.125]);
    expectOnlyFiniteNumbers(report);
  });

  it('picks A when B is worse, and follows higherIsBetter for metrics where lower wins', () => {
    expect(decide(binaryInput([1250, 10000, 10000], [1000, 10000, 10000])).decision).toBe('A');
    const errors = decide(binaryInput([1250, 10000, 10000], [1000, 10000, 10000], { higherIsBetter: false }));
    expect(errors.decision).toBe('B');
  });

  it('says there is no evidence yet while the always-valid p stays above alpha', () => {
    const report = decide(binaryInput([1000, 10000, 10000], [1030, 10000, 10000]));

    expect(report.decision).toBe('no-evidence-yet');
    expect(report.winner).toBeNull();
    expect(report.reason).toMatch(/^no evidence yet: always-valid p = [\d.e-]+ > alpha = 0\.05 after 1 look/);
    expect(report.reason).toMatch(/fixed-horizon two-proportion-z p = .* is for information only/);
  });

  it('refuses to compare the variants when the split is broken (SRM first, even over a clear winner)', () => {
    const report = decide(binaryInput([1000, 10000, 11000], [1250, 10000, 9000]));

    expect(report.decision).toBe('invalid-srm');
    expect(report.srm.mismatch).toBe(true);
    expect(report.srm.pValue).toBeLessThan(0.001);
    expect(report.reason).toMatch(
      /^sample-ratio mismatch: v1 got 11000 and v2 9000 requests where the weights/,
    );
  });

  it('decides at the first look where the running p-value crosses alpha, over the history', () => {
    const history: ArmSummaries[] = [
      { a: binarySummary(10, 100), b: binarySummary(11, 100) },
      { a: binarySummary(100, 1000), b: binarySummary(140, 1000) },
    ];
    const report = decide({ ...binaryInput([1000, 10000, 10000], [1300, 10000, 10000]), history });

    expect(report.sequential.looks).toBe(3);
    expect(report.sequential.rejectedAtLook).not.toBeNull();
    expect(report.sequential.pValue).toBeLessThanOrEqual(0.05);
  });

  it('welch for a continuous metric, per-variant t intervals', () => {
    const report = decide({
      metric: 'continuous',
      variants: [
        { name: 'prod', weight: 90, assigned: 9000, outcomes: summaryFromMoments(9000, 12.0, 25) },
        { name: 'new', weight: 10, assigned: 1000, outcomes: summaryFromMoments(1000, 12.1, 26) },
      ],
      tau2: 0.5 ** 2,
    });

    expect(report.fixedHorizon?.test).toBe('welch-t');
    expect(report.fixedHorizon?.degreesOfFreedom).toBeGreaterThan(1000);
    expect(report.variants[0].interval![0]).toBeLessThan(12);
    expect(report.variants[0].interval![1]).toBeGreaterThan(12);
    expect(report.decision).toBe('no-evidence-yet');
  });

  describe('edge cases give defined results, never NaN', () => {
    it('a variant with no traffic or outcomes yet', () => {
      const report = decide(binaryInput([0, 0, 0], [0, 0, 0]));

      expect(report.decision).toBe('no-evidence-yet');
      expect(report.reason).toBe(
        'no evidence yet: v1 has 0 outcome(s), v2 has 0 outcome(s); the sequential test needs at least 2 per variant',
      );
      expect(report.variants.map((v) => [v.metric, v.interval])).toEqual([
        [null, null],
        [null, null],
      ]);
      expect(report.fixedHorizon).toBeNull();
      expect(report.srm).toMatchObject({ chiSquare: 0, pValue: 1, mismatch: false });
      expectOnlyFiniteNumbers(report);
    });

    it('one outcome per variant, and zero variance (all the same outcome)', () => {
      const one = decide({
        metric: 'continuous',
        variants: [
          { name: 'a', weight: 1, assigned: 1, outcomes: summarize([3]) },
          { name: 'b', weight: 1, assigned: 1, outcomes: summarize([5]) },
        ],
        tau2: 1,
      });
      expect(one.decision).toBe('no-evidence-yet');
      expect(one.variants[0].interval).toBeNull();
      expectOnlyFiniteNumbers(one);

      const constant = decide(binaryInput([0, 20, 20], [20, 20, 20]));
      expect(constant.decision).toBe('no-evidence-yet');
      expect(constant.sequential.statistic).toBe(1);
      expect(constant.fixedHorizon?.pValue).toBeLessThan(1e-8);
      expect(constant.variants.map((v) => v.interval![0] >= 0 && v.interval![1] <= 1)).toEqual([true, true]);
      expectOnlyFiniteNumbers(constant);
    });

    it('Welch with both variances 0', () => {
      const same = welchTTest({ n: 5, mean: 2, variance: 0 }, { n: 7, mean: 2, variance: 0 });
      expect(same).toMatchObject({ statistic: 0, pValue: 1, interval: [0, 0], degreesOfFreedom: 10 });
      const apart = welchTTest({ n: 5, mean: 2, variance: 0 }, { n: 7, mean: 3, variance: 0 });
      expect(apart).toMatchObject({ statistic: null, pValue: 0, interval: [1, 1] });
    });

    it('z with both proportions at 0 or 1', () => {
      expect(twoProportionZTest({ successes: 0, trials: 10 }, { successes: 0, trials: 30 })).toMatchObject({
        statistic: 0,
        pValue: 1,
        interval: [0, 0],
      });
      expect(twoProportionZTest({ successes: 10, trials: 10 }, { successes: 30, trials: 30 }).pValue).toBe(1);
    });

    it('weights that do not sum to 1 are relative; weight 0 with traffic is a mismatch', () => {
      expect(sampleRatioMismatch([300, 700], [3, 7])).toMatchObject({
        chiSquare: 0,
        pValue: 1,
        mismatch: false,
      });
      expect(sampleRatioMismatch([300, 700], [30, 70]).expected).toEqual([300, 700]);
      expect(sampleRatioMismatch([0, 700], [0, 1])).toMatchObject({
        pValue: 1,
        mismatch: false,
        degreesOfFreedom: 0,
      });
      expect(sampleRatioMismatch([3, 700], [0, 1])).toMatchObject({ pValue: 0, mismatch: true });
    });

    it('clear errors for inputs that cannot be tested', () => {
      expect(() => sampleRatioMismatch([1, 2], [0, 0])).toThrow(/the weights sum to 0/);
      expect(() => sampleRatioMismatch([1, 2], [0.5, -0.5])).toThrow(ValidationError);
      expect(() => sampleRatioMismatch([1, 2], [1])).toThrow(/2 counts but 1 weights/);
      expect(() => welchTTest({ n: 1, mean: 0, variance: 0 }, { n: 5, mean: 0, variance: 1 })).toThrow(
        /at least 2 values per variant/,
      );
      expect(() => twoProportionZTest({ successes: 0, trials: 0 }, { successes: 1, trials: 2 })).toThrow(
        /at least 1 trial/,
      );
      expect(() => decide({ ...binaryInput([1, 2, 2], [1, 2, 2]), alpha: 1 })).toThrow(/alpha/);
      expect(() =>
        decide({ ...binaryInput([1, 2, 2], [1, 2, 2]), minimumDetectableEffect: undefined }),
      ).toThrow(/minimum detectable effect/);
      expect(() =>
        decide({
          metric: 'binary',
          variants: [
            { name: 'a', weight: 1, assigned: 3, outcomes: summarize([0.5, 1, 0]) },
            { name: 'b', weight: 1, assigned: 3, outcomes: summarize([1, 1, 0]) },
          ],
          tau2: 0.01,
        }),
      ).toThrow(/binary metric/);
    });
  });

  it('never puts NaN or Infinity in a report, whatever the counts', () => {
    const arm = fc
      .tuple(fc.nat({ max: 5000 }), fc.nat({ max: 5000 }), fc.nat({ max: 10000 }))
      .map(([x, y, assigned]): [number, number, number] => [Math.min(x, y), Math.max(x, y), assigned]);
    fc.assert(
      fc.property(
        arm,
        arm,
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
        (a, b, mde, alpha) => {
          const report = decide(binaryInput(a, b, { minimumDetectableEffect: mde, alpha }));
          expectOnlyFiniteNumbers(report);
          expect(['A', 'B', 'no-evidence-yet', 'invalid-srm']).toContain(report.decision);
        },
      ),
      { numRuns: 200 },
    );
  });
});
