import { logBeta, regularizedBeta } from './beta';
import { normalQuantile } from './normal';

/** Student's t distribution with ν > 0 degrees of freedom (real, as Welch–Satterthwaite gives). */

/** P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2): the two-sided p-value of a t statistic (2·t.sf(|t|, ν)). */
export const studentTTwoSidedP = (t: number, degreesOfFreedom: number): number => {
  if (Number.isNaN(t) || !(degreesOfFreedom > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  const square = t * t;
  const denominator = degreesOfFreedom + square;
  return regularizedBeta(degreesOfFreedom / denominator, degreesOfFreedom / 2, 0.5, square / denominator);
};

/** P(T > t) (scipy.stats.t.sf). */
export const studentTSf = (t: number, degreesOfFreedom: number): number => {
  const tail = 0.5 * studentTTwoSidedP(t, degreesOfFreedom);
  return t >= 0 ? tail : 1 - tail;
};

/** P(T ≤ t) (scipy.stats.t.cdf). */
export const studentTCdf = (t: number, degreesOfFreedom: number): number => studentTSf(-t, degreesOfFreedom);

/** The density (scipy.stats.t.pdf). */
export const studentTPdf = (t: number, degreesOfFreedom: number): number =>
  Math.exp(
    -((degreesOfFreedom + 1) / 2) * Math.log1p((t * t) / degreesOfFreedom) -
      0.5 * Math.log(degreesOfFreedom) -
      logBeta(degreesOfFreedom / 2, 0.5),
  );

/**
 * The t with P(T > t) = q, for 0 < q < 1 (scipy.stats.t.isf). Newton's method on ln sf against ln t
 * (close to linear in both the normal and the power-law tail), started from the normal quantile and
 * kept inside a bracket by bisection when a step would leave it.
 */
export const studentTUpperQuantile = (q: number, degreesOfFreedom: number): number => {
  if (!(q >= 0 && q <= 1) || !(degreesOfFreedom > 0)) return Number.NaN;
  if (q === 0) return Number.POSITIVE_INFINITY;
  if (q === 1) return Number.NEGATIVE_INFINITY;
  if (q > 0.5) return -studentTUpperQuantile(1 - q, degreesOfFreedom);
  if (q === 0.5) return 0;
  const logQ = Math.log(q);
  const f = (logT: number): number => Math.log(studentTSf(Math.exp(logT), degreesOfFreedom)) - logQ;
  // Bracket the root in ln t: f decreases from ln(0.5/q) > 0 at t → 0 to −∞.
  let x = Math.log(Math.max(-normalQuantile(q), 1e-3));
  let low = x;
  let high = x;
  while (f(low) < 0) low -= 1;
  while (f(high) > 0) high += 1;
  for (let i = 0; i < 200; i++) {
    const t = Math.exp(x);
    const sf = studentTSf(t, degreesOfFreedom);
    const value = Math.log(sf) - logQ;
    if (value === 0) return t;
    if (value > 0) low = x;
    else high = x;
    const slope = (-studentTPdf(t, degreesOfFreedom) * t) / sf;
    let next = x - value / slope;
    if (!(next > low && next < high)) next = (low + high) / 2;
    if (
      Math.abs(next - x) <= 1e-15 * Math.max(1, Math.abs(x)) ||
      high - low <= 1e-15 * Math.max(1, Math.abs(x))
    )
      return Math.exp(next);
    x = next;
  }
  return Math.exp(x);
};
