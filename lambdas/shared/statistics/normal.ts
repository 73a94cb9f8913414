import { regularizedGammaQ } from './gamma';

/**
 * The standard normal distribution, through the incomplete gamma function: for z ≥ 0,
 * P(|Z| ≥ z) = erfc(z/√2) = Q(1/2, z²/2). Both tails keep their relative precision (no 1 − tiny).
 */

const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);

/** P(|Z| ≥ |z|): the two-sided p-value of a z statistic (scipy: 2·norm.sf(|z|), chi2.sf(z², 1)). */
export const normalTwoSidedP = (z: number): number => {
  if (Number.isNaN(z)) return Number.NaN;
  return regularizedGammaQ(0.5, (z * z) / 2);
};

/** P(Z ≤ z) (scipy.stats.norm.cdf). */
export const normalCdf = (z: number): number => {
  if (Number.isNaN(z)) return Number.NaN;
  const tail = 0.5 * normalTwoSidedP(z);
  return z < 0 ? tail : 1 - tail;
};

/** P(Z > z) (scipy.stats.norm.sf). */
export const normalSf = (z: number): number => normalCdf(-z);

/** The density φ(z). */
export const normalPdf = (z: number): number => Math.exp(-0.5 * z * z) / SQRT_TWO_PI;

/**
 * The quantile Φ⁻¹(p) for 0 < p < 1 (scipy.stats.norm.ppf): Abramowitz & Stegun 26.2.23 as a start
 * (error < 4.5e-4), then Halley steps on the CDF of the nearer tail, which converge cubically. For an
 * upper quantile with a small tail area q, call −normalQuantile(q): 1 − q would lose q's digits.
 */
export const normalQuantile = (p: number): number => {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p > 0.5) return -normalQuantile(1 - p);
  if (p === 0.5) return 0;
  const t = Math.sqrt(-2 * Math.log(p));
  let x = -(
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)))
  );
  for (let i = 0; i < 8; i++) {
    const error = normalCdf(x) - p;
    const u = error * SQRT_TWO_PI * Math.exp(0.5 * x * x);
    const step = u / (1 + 0.5 * x * u);
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.abs(x)) break;
  }
  return x;
};
