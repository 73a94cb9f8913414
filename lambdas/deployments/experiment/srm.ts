import { ValidationError } from '../../shared/errors';
import { chiSquareSf } from '../../shared/statistics/gamma';

/** A sample-ratio mismatch is flagged below this p-value (issue 11). */
export const SRM_THRESHOLD = 0.001;

export interface SampleRatioMismatch {
  /** Pearson's Σ (observed − expected)² / expected over the variants with a positive weight. */
  readonly chiSquare: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
  readonly mismatch: boolean;
  /** The counts the split predicts: total × weight / Σ weights. */
  readonly expected: readonly number[];
}

const invalid = (field: string, message: string): ValidationError =>
  new ValidationError([{ field, rule: 'sample-ratio', message }]);

/**
 * Chi-square goodness of fit of the invoked-variant counts to the configured split (scipy.stats.chisquare
 * with f_exp = N·w/Σw). Weights are relative: they are normalised, so [90, 10] and [0.9, 0.1] agree.
 * Defined results where scipy has none: no traffic at all, or a single weighted variant, leaves nothing
 * to test (χ² 0, p 1); a variant with weight 0 is left out of χ², and traffic reaching it is a mismatch
 * by definition (p 0).
 */
export const sampleRatioMismatch = (
  observed: readonly number[],
  weights: readonly number[],
  threshold: number = SRM_THRESHOLD,
): SampleRatioMismatch => {
  if (observed.length !== weights.length)
    throw invalid('weights', `${observed.length} counts but ${weights.length} weights`);
  if (observed.length === 0) throw invalid('weights', 'no variants');
  observed.forEach((count, i) => {
    if (!Number.isSafeInteger(count) || count < 0)
      throw invalid(`observed[${i}]`, `a count must be a whole number ≥ 0, got ${count}`);
  });
  weights.forEach((weight, i) => {
    if (!Number.isFinite(weight) || weight < 0)
      throw invalid(`weights[${i}]`, `a weight must be a finite number ≥ 0, got ${weight}`);
  });
  const weightTotal = weights.reduce((total, weight) => total + weight, 0);
  if (!(weightTotal > 0)) throw invalid('weights', 'the weights sum to 0: no variant takes traffic');
  const total = observed.reduce((sum, count) => sum + count, 0);
  const expected = weights.map((weight) => (total * weight) / weightTotal);
  let chiSquare = 0;
  let weighted = 0;
  let strayTraffic = false;
  for (let i = 0; i < observed.length; i++) {
    if (weights[i] === 0) {
      if (observed[i]! > 0) strayTraffic = true;
      continue;
    }
    weighted++;
    if (total === 0) continue;
    const difference = observed[i]! - expected[i]!;
    chiSquare += (difference * difference) / expected[i]!;
  }
  const degreesOfFreedom = Math.max(0, weighted - 1);
  const pValue = strayTraffic
    ? 0
    : degreesOfFreedom > 0 && total > 0
      ? chiSquareSf(chiSquare, degreesOfFreedom)
      : 1;
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < threshold, expected };
};
