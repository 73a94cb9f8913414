import { ValidationError } from '../../shared/errors';
import { normalQuantile, normalTwoSidedP } from '../../shared/statistics/normal';
import { studentTTwoSidedP, studentTUpperQuantile } from '../../shared/statistics/student-t';

/**
 * Fixed-horizon tests of variant B against variant A, two-sided at level alpha. They are valid only
 * when read once, at a sample size fixed in advance: `decide` reports them beside the sequential test
 * and never decides on them.
 */

export type Interval = readonly [low: number, high: number];

export interface FixedHorizonResult {
  readonly test: 'two-proportion-z' | 'welch-t';
  /** B − A: the difference of proportions or of means. */
  readonly difference: number;
  /** The 1 − alpha confidence interval of the difference. */
  readonly interval: Interval;
  readonly confidence: number;
  /** z or t; null only when the standard error is 0 while the difference is not (an unbounded statistic). */
  readonly statistic: number | null;
  readonly pValue: number;
  readonly standardError: number;
  /** Welch–Satterthwaite's ν for the t test; null for z. */
  readonly degreesOfFreedom: number | null;
}

export interface Proportion {
  readonly successes: number;
  readonly trials: number;
}

export interface Moments {
  readonly n: number;
  readonly mean: number;
  /** The sample variance (divisor n − 1). */
  readonly variance: number;
}

const invalid = (field: string, rule: string, message: string): ValidationError =>
  new ValidationError([{ field, rule, message }]);

export const checkAlpha = (alpha: number): void => {
  if (!(alpha > 0 && alpha < 1))
    throw invalid('alpha', 'range', `alpha must lie strictly between 0 and 1, got ${alpha}`);
};

const checkProportion = (p: Proportion, field: string): void => {
  if (!Number.isSafeInteger(p.trials) || p.trials < 1)
    throw invalid(`${field}.trials`, 'minimum', `a proportion needs at least 1 trial, got ${p.trials}`);
  if (!Number.isSafeInteger(p.successes) || p.successes < 0 || p.successes > p.trials)
    throw invalid(
      `${field}.successes`,
      'range',
      `successes must be a whole number in [0, ${p.trials}], got ${p.successes}`,
    );
};

const checkMoments = (m: Moments, field: string): void => {
  if (!Number.isSafeInteger(m.n) || m.n < 2)
    throw invalid(`${field}.n`, 'minimum', `Welch's t test needs at least 2 values per variant, got ${m.n}`);
  if (!Number.isFinite(m.mean))
    throw invalid(`${field}.mean`, 'finite', `the mean must be finite, got ${m.mean}`);
  if (!Number.isFinite(m.variance) || m.variance < 0)
    throw invalid(`${field}.variance`, 'range', `the variance must be finite and ≥ 0, got ${m.variance}`);
};

/** The upper alpha/2 point of N(0, 1), without 1 − alpha/2's rounding. */
const zCritical = (alpha: number): number => -normalQuantile(alpha / 2);

/**
 * Two-proportion z test: z = (p̂_B − p̂_A) / √(p̄(1 − p̄)(1/n_A + 1/n_B)) with the pooled p̄ under H0 (as
 * statsmodels' proportions_ztest; z² is Pearson's χ² of the 2×2 table without continuity correction),
 * and the unpooled Wald interval p̂_B − p̂_A ± z_{α/2}·√(p̂_A(1 − p̂_A)/n_A + p̂_B(1 − p̂_B)/n_B). When both
 * variants are all successes or all failures the pooled error is 0 and so is the difference: z 0, p 1.
 */
export const twoProportionZTest = (a: Proportion, b: Proportion, alpha = 0.05): FixedHorizonResult => {
  checkAlpha(alpha);
  checkProportion(a, 'a');
  checkProportion(b, 'b');
  const pA = a.successes / a.trials;
  const pB = b.successes / b.trials;
  const difference = pB - pA;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const pooledError = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  const statistic = pooledError > 0 ? difference / pooledError : 0;
  const standardError = Math.sqrt((pA * (1 - pA)) / a.trials + (pB * (1 - pB)) / b.trials);
  const half = zCritical(alpha) * standardError;
  return {
    test: 'two-proportion-z',
    difference,
    interval: [difference - half, difference + half],
    confidence: 1 - alpha,
    statistic,
    pValue: pooledError > 0 ? normalTwoSidedP(statistic) : 1,
    standardError,
    degreesOfFreedom: null,
  };
};

/**
 * Welch's t test (scipy.stats.ttest_ind_from_stats(B, A, equal_var=False)): t = (x̄_B − x̄_A)/SE with
 * SE² = s²_A/n_A + s²_B/n_B, ν = SE⁴ / ((s²_A/n_A)²/(n_A − 1) + (s²_B/n_B)²/(n_B − 1)), and the interval
 * x̄_B − x̄_A ± t_{α/2, ν}·SE. Both variances 0 (where scipy answers NaN): ν = n_A + n_B − 2, the interval
 * is the difference itself, and p is 1 for equal means and 0 otherwise (with a null statistic).
 */
export const welchTTest = (a: Moments, b: Moments, alpha = 0.05): FixedHorizonResult => {
  checkAlpha(alpha);
  checkMoments(a, 'a');
  checkMoments(b, 'b');
  const difference = b.mean - a.mean;
  const shareA = a.variance / a.n;
  const shareB = b.variance / b.n;
  const variance = shareA + shareB;
  const base = { test: 'welch-t' as const, difference, confidence: 1 - alpha };
  if (!(variance > 0))
    return {
      ...base,
      interval: [difference, difference],
      statistic: difference === 0 ? 0 : null,
      pValue: difference === 0 ? 1 : 0,
      standardError: 0,
      degreesOfFreedom: a.n + b.n - 2,
    };
  const standardError = Math.sqrt(variance);
  const degreesOfFreedom =
    (variance * variance) / ((shareA * shareA) / (a.n - 1) + (shareB * shareB) / (b.n - 1));
  const statistic = difference / standardError;
  const half = studentTUpperQuantile(alpha / 2, degreesOfFreedom) * standardError;
  return {
    ...base,
    interval: [difference - half, difference + half],
    statistic,
    pValue: studentTTwoSidedP(statistic, degreesOfFreedom),
    standardError,
    degreesOfFreedom,
  };
};

/**
 * Wilson's score interval for one proportion at 1 − alpha (statsmodels proportion_confint method
 * 'wilson'): inside [0, 1] and defined at 0 and n successes, unlike Wald's. Null with no trials.
 */
export const proportionInterval = (p: Proportion, alpha = 0.05): Interval | null => {
  checkAlpha(alpha);
  if (p.trials === 0) return null;
  checkProportion(p, 'variant');
  const z = zCritical(alpha);
  const n = p.trials;
  const share = p.successes / n;
  const z2n = (z * z) / n;
  const center = (share + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((share * (1 - share)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
};

/** The t interval of one mean at 1 − alpha (scipy.stats.t.interval with n − 1 df); null below 2 values. */
export const meanInterval = (m: Moments, alpha = 0.05): Interval | null => {
  checkAlpha(alpha);
  if (m.n < 2) return null;
  checkMoments(m, 'variant');
  const half = studentTUpperQuantile(alpha / 2, m.n - 1) * Math.sqrt(m.variance / m.n);
  return [m.mean - half, m.mean + half];
};
