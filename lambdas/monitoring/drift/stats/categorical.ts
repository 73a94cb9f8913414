import { chiSquareSf } from '../../../shared/statistics/gamma';
import { PSI_FLOOR, psi } from './psi';

/**
 * Statistics over the union of categories, given counts aligned by category (index i is the same
 * category on both sides; a category one side never saw has count 0 there).
 */

const sum = (values: ArrayLike<number>): number => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
};

export interface ChiSquare {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * scipy.stats.chisquare(current counts, f_exp = n_cur·p'), p' = max(p, 1e-4) renormalised to sum 1,
 * with k − 1 degrees of freedom. With a single category there is nothing to test: the statistic is 0
 * and the p-value 1 (scipy would answer NaN for zero degrees of freedom).
 */
export const chiSquareTest = (reference: ArrayLike<number>, current: ArrayLike<number>): ChiSquare => {
  const k = reference.length;
  const referenceTotal = sum(reference);
  const currentTotal = sum(current);
  const floored = Array.from({ length: k }, (_, i) => Math.max(reference[i]! / referenceTotal, PSI_FLOOR));
  const flooredTotal = sum(floored);
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const expected = (currentTotal * floored[i]!) / flooredTotal;
    const difference = current[i]! - expected;
    statistic += (difference * difference) / expected;
  }
  return { statistic, pValue: k > 1 ? chiSquareSf(statistic, k - 1) : 1 };
};

/** x·ln(x/y), 0 when x = 0 (scipy.special.rel_entr). */
const relativeEntropy = (x: number, y: number): number => (x > 0 ? x * Math.log(x / y) : 0);

/** scipy.spatial.distance.jensenshannon(p, q, base=2) on the raw proportions: a value in [0, 1]. */
export const jensenShannonDistance = (reference: ArrayLike<number>, current: ArrayLike<number>): number => {
  const referenceTotal = sum(reference);
  const currentTotal = sum(current);
  let divergence = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i]! / referenceTotal;
    const q = current[i]! / currentTotal;
    const m = (p + q) / 2;
    divergence += relativeEntropy(p, m) + relativeEntropy(q, m);
  }
  // Rounding can leave a hair below zero for identical distributions; the distance is then 0.
  return Math.sqrt(Math.max(0, divergence / 2 / Math.LN2));
};

/** PSI over categories, both proportions floored at 1e-4. */
export const categoricalPsi = (reference: ArrayLike<number>, current: ArrayLike<number>): number =>
  psi(reference, sum(reference), current, sum(current));

export interface CategoricalStatistics {
  readonly chiSquare: number;
  readonly chiSquarePValue: number;
  readonly jensenShannon: number;
  readonly psi: number;
}

/** Every categorical statistic from counts aligned by category. */
export const categoricalStatistics = (
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
): CategoricalStatistics => {
  const chi = chiSquareTest(reference, current);
  return {
    chiSquare: chi.statistic,
    chiSquarePValue: chi.pValue,
    jensenShannon: jensenShannonDistance(reference, current),
    psi: categoricalPsi(reference, current),
  };
};
