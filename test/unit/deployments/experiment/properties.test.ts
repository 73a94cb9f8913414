import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ArmSummaries,
  EMPTY_SUMMARY,
  mergeSummaries,
  msprt,
  type OutcomeSummary,
  sampleRatioMismatch,
  summarize,
} from '../../../../lambdas/deployments/experiment';
import { binomialUpperBound, multinomial, normalDraw, seededRandom } from './random';

/** Cumulative looks of one simulated experiment with no difference between the variants (H0). */
const nullLooks = (draw: () => number, looks: number, batch: number): ArmSummaries[] => {
  let a: OutcomeSummary = EMPTY_SUMMARY;
  let b: OutcomeSummary = EMPTY_SUMMARY;
  const values = new Float64Array(batch);
  const batchOf = () => {
    for (let i = 0; i < batch; i++) values[i] = draw();
    return summarize(values);
  };
  return Array.from({ length: looks }, () => {
    a = mergeSummaries(a, batchOf());
    b = mergeSummaries(b, batchOf());
    return { a, b };
  });
};

/**
 * Under H0, P(the mSPRT ever rejects) ≤ alpha however often one looks. Over N simulated experiments
 * the number of rejections is then at most Bin(N, alpha), and exceeds that binomial's upper 1e-6 point
 * only with probability 1e-6: the bound asserted. (On the same simulated data, stopping at the first of
 * the 30 looks where Welch's fixed-horizon p < 0.05 rejects in about 30 % of experiments; the mSPRT in 0.5 %.)
 */
describe('the mSPRT keeps its false-positive rate under H0 however often one looks', () => {
  const EXPERIMENTS = 400;
  const ALPHA = 0.05;
  const bound = binomialUpperBound(EXPERIMENTS, ALPHA, 1e-6);

  it(`continuous outcomes: at most ${bound} of ${EXPERIMENTS} experiments (30 looks each) reject`, () => {
    const random = seededRandom(11);
    let rejections = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const looks = nullLooks(() => 3 + 2 * normalDraw(random), 30, 40);
      if (msprt(looks, 'continuous', { alpha: ALPHA, tau2: 0.2 ** 2 }).rejected) rejections++;
    }

    expect(rejections).toBeLessThanOrEqual(bound);
  });

  it(`binary outcomes: at most ${bound} of ${EXPERIMENTS} experiments (30 looks each) reject`, () => {
    const random = seededRandom(12);
    let rejections = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const looks = nullLooks(() => (random() < 0.1 ? 1 : 0), 30, 60);
      if (msprt(looks, 'binary', { alpha: ALPHA, tau2: 0.02 ** 2 }).rejected) rejections++;
    }

    expect(rejections).toBeLessThanOrEqual(bound);
  });

  it('the always-valid p-value never rises from look to look and stays in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.double({ min: 1e-4, max: 4, noNaN: true }),
        (seed, tau2) => {
          const random = seededRandom(seed);
          const looks = nullLooks(() => normalDraw(random) + (random() < 0.5 ? 0 : 0.3), 12, 5);
          const result = msprt(looks, 'continuous', { alpha: 0.05, tau2 });
          let previous = 1;
          for (const look of result.looks) {
            expect(look.pValue).toBeLessThanOrEqual(previous);
            expect(look.pValue).toBeGreaterThanOrEqual(0);
            previous = look.pValue;
          }
          expect(result.rejected).toBe(result.pValue <= 0.05);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('the sample-ratio p-value is close to uniform when the split holds', () => {
  it('over random splits, P(p ≤ t) ≈ t at every t, and the 0.001 flag is rare', () => {
    const random = seededRandom(13);
    const DRAWS = 500;
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), { minLength: 2, maxLength: 4 }),
        (weights) => {
          const total = weights.reduce((s, w) => s + w, 0);
          const probabilities = weights.map((w) => w / total);
          const pValues = Array.from(
            { length: DRAWS },
            () => sampleRatioMismatch(multinomial(random, 1000, probabilities), weights).pValue,
          );
          for (const t of [0.05, 0.1, 0.25, 0.5, 0.75, 0.9]) {
            const below = pValues.filter((p) => p <= t).length;
            // 1e-6 binomial bounds either side, widened by 2 % of the draws for the statistic's discreteness.
            expect(below).toBeLessThanOrEqual(binomialUpperBound(DRAWS, t, 1e-6) + 0.02 * DRAWS);
            expect(DRAWS - below).toBeLessThanOrEqual(binomialUpperBound(DRAWS, 1 - t, 1e-6) + 0.02 * DRAWS);
          }
          expect(pValues.filter((p) => p < 0.001).length).toBeLessThanOrEqual(
            binomialUpperBound(DRAWS, 0.001, 1e-6),
          );
        },
      ),
      { numRuns: 6 },
    );
  });
});
