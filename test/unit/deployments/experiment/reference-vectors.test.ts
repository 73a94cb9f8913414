import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type ArmSummaries,
  meanInterval,
  msprt,
  proportionInterval,
  sampleRatioMismatch,
  summarize,
  twoProportionZTest,
  welchTTest,
} from '../../../../lambdas/deployments/experiment';
import { regularizedBeta } from '../../../../lambdas/shared/statistics/beta';
import { normalQuantile, normalTwoSidedP } from '../../../../lambdas/shared/statistics/normal';
import { studentTSf, studentTUpperQuantile } from '../../../../lambdas/shared/statistics/student-t';

/** Inputs and scipy's answers, written by scripts/ab-reference-vectors.py (scipy 1.17, numpy 2.x, mpmath). */
interface Fixed {
  name: string;
  alpha: number;
  difference: number;
  statistic: number;
  pValue: number;
  standardError: number;
  interval: [number, number];
}
interface Vectors {
  normalTwoSided: [number, number][];
  normalQuantile: [number, number][];
  studentTSf: [number, number, number][];
  studentTIsf: [number, number, number][];
  betainc: [number, number, number, number][];
  srm: {
    name: string;
    observed: number[];
    weights: number[];
    expected: number[];
    chiSquare: number;
    pValue: number;
    mismatch: boolean;
  }[];
  proportions: (Fixed & {
    a: { successes: number; trials: number };
    b: { successes: number; trials: number };
    wilson: [number, number][];
  })[];
  means: (Fixed & {
    a: { n: number; mean: number; variance: number };
    b: { n: number; mean: number; variance: number };
    degreesOfFreedom: number;
    meanIntervals: [number, number][];
    data?: { a: number[]; b: number[] };
  })[];
  sequential: {
    name: string;
    kind: 'binary' | 'continuous';
    tau2: number;
    alpha: number;
    looks: ArmSummaries[];
    expected: { difference: number; variance: number; logStatistic: number; pValue: number }[];
    rejectedAt: number | null;
  }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../fixtures/ab/reference-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

/**
 * The tolerances this suite holds the engine to, and the largest error seen when they were set:
 * - P: p-values and probabilities, 1e-9 relative or 1e-15 absolute (seen: below 1e-12 relative).
 * - Q: quantiles, interval ends and other derived values, 1e-9 relative or 1e-12 absolute.
 * - E: arithmetic scipy and the engine do the same way (differences, χ², standard errors), 1e-12
 *   relative or 1e-14 absolute.
 */
const P = { relative: 1e-9, absolute: 1e-15 };
const Q = { relative: 1e-9, absolute: 1e-12 };
const E = { relative: 1e-12, absolute: 1e-14 };

const worst = new Map<string, number>();
const expectClose = (
  actual: number | null | undefined,
  expected: number,
  tolerance: { relative: number; absolute: number },
  label: string,
) => {
  expect(actual, label).toBeTypeOf('number');
  const error = Math.abs(actual! - expected);
  const relative = expected === 0 ? error : error / Math.abs(expected);
  const kind = tolerance === P ? 'P' : tolerance === Q ? 'Q' : 'E';
  if (error > tolerance.absolute) worst.set(kind, Math.max(worst.get(kind) ?? 0, relative));
  expect(
    error <= tolerance.absolute || error <= tolerance.relative * Math.abs(expected),
    `${label}: ${actual} vs scipy ${expected} (relative error ${relative.toExponential(2)})`,
  ).toBe(true);
};

describe('special functions against scipy', () => {
  it('two-sided normal p-values (2·norm.sf(|z|))', () => {
    for (const [z, p] of vectors.normalTwoSided) expectClose(normalTwoSidedP(z), p, P, `z = ${z}`);
  });

  it('normal quantiles (norm.ppf)', () => {
    for (const [p, z] of vectors.normalQuantile) expectClose(normalQuantile(p), z, Q, `p = ${p}`);
  });

  it('Student t survival function (t.sf), small to huge degrees of freedom', () => {
    for (const [t, df, p] of vectors.studentTSf) expectClose(studentTSf(t, df), p, P, `t = ${t}, ν = ${df}`);
  });

  it('Student t upper quantiles (t.isf)', () => {
    for (const [q, df, t] of vectors.studentTIsf)
      expectClose(studentTUpperQuantile(q, df), t, Q, `q = ${q}, ν = ${df}`);
  });

  it('the regularised incomplete beta function (betainc)', () => {
    for (const [x, a, b, value] of vectors.betainc)
      expectClose(regularizedBeta(x, a, b), value, P, `I_${x}(${a}, ${b})`);
  });
});

describe('sample-ratio mismatch against scipy.stats.chisquare', () => {
  for (const vector of vectors.srm)
    it(vector.name, () => {
      const result = sampleRatioMismatch(vector.observed, vector.weights);

      vector.expected.forEach((expected, i) => {
        expectClose(result.expected[i], expected, E, `expected[${i}]`);
      });
      expectClose(result.chiSquare, vector.chiSquare, E, 'χ²');
      expectClose(result.pValue, vector.pValue, P, 'p');
      expect(result.mismatch).toBe(vector.mismatch);
    });
});

describe('two-proportion z test and Wilson intervals against scipy', () => {
  for (const vector of vectors.proportions)
    it(vector.name, () => {
      const result = twoProportionZTest(vector.a, vector.b, vector.alpha);

      expectClose(result.difference, vector.difference, E, 'difference');
      expectClose(result.statistic, vector.statistic, E, 'z');
      expectClose(result.standardError, vector.standardError, E, 'standard error');
      expectClose(result.pValue, vector.pValue, P, 'p');
      expectClose(result.interval[0], vector.interval[0], Q, 'interval low');
      expectClose(result.interval[1], vector.interval[1], Q, 'interval high');
      [vector.a, vector.b].forEach((proportion, i) => {
        const interval = proportionInterval(proportion, vector.alpha)!;
        expectClose(interval[0], vector.wilson[i]![0]!, Q, `Wilson low [${i}]`);
        expectClose(interval[1], vector.wilson[i]![1]!, Q, `Wilson high [${i}]`);
      });
    });
});

describe("Welch's t test and t intervals against scipy", () => {
  for (const vector of vectors.means)
    it(vector.name, () => {
      const result = welchTTest(vector.a, vector.b, vector.alpha);

      expectClose(result.difference, vector.difference, E, 'difference');
      expectClose(result.statistic, vector.statistic, Q, 't');
      expectClose(result.degreesOfFreedom, vector.degreesOfFreedom, Q, 'ν');
      expectClose(result.standardError, vector.standardError, E, 'standard error');
      expectClose(result.pValue, vector.pValue, P, 'p');
      expectClose(result.interval[0], vector.interval[0], Q, 'interval low');
      expectClose(result.interval[1], vector.interval[1], Q, 'interval high');
      [vector.a, vector.b].forEach((moments, i) => {
        const interval = meanInterval(moments, vector.alpha)!;
        expectClose(interval[0], vector.meanIntervals[i]![0]!, Q, `mean interval low [${i}]`);
        expectClose(interval[1], vector.meanIntervals[i]![1]!, Q, `mean interval high [${i}]`);
      });
    });

  for (const vector of vectors.means.filter((v) => v.data !== undefined))
    it(`${vector.name}: Welford summaries of the raw data give scipy's moments`, () => {
      const [a, b] = [summarize(vector.data!.a), summarize(vector.data!.b)];

      expect(a.count).toBe(vector.a.n);
      expectClose(a.sum / a.count, vector.a.mean, E, 'mean A');
      expectClose(a.m2 / (a.count - 1), vector.a.variance, Q, 'variance A');
      expectClose(b.m2 / (b.count - 1), vector.b.variance, Q, 'variance B');
    });
});

describe('mSPRT (normal mixture) against the closed form in 50-digit arithmetic', () => {
  for (const vector of vectors.sequential)
    it(vector.name, () => {
      const result = msprt(vector.looks, vector.kind, { alpha: vector.alpha, tau2: vector.tau2 });

      expect(result.rejectedAt).toBe(vector.rejectedAt);
      vector.expected.forEach((expected, i) => {
        const look = result.looks[i]!;
        expectClose(look.difference, expected.difference, E, `look ${i} d`);
        expectClose(look.variance, expected.variance, Q, `look ${i} s²`);
        expectClose(look.logStatistic, expected.logStatistic, Q, `look ${i} ln Λ`);
        expectClose(look.pValue, expected.pValue, P, `look ${i} p`);
        expect(Number.isFinite(look.statistic)).toBe(true);
      });
    });

  it('stayed within the stated tolerances (largest relative errors are printed)', () => {
    console.info(
      'largest relative error beyond the absolute floor:',
      Object.fromEntries([...worst].map(([kind, error]) => [kind, error.toExponential(2)])),
    );
  });
});
