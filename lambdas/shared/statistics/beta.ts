import { logGamma } from './gamma';

/**
 * ln B(a, b) and the regularised incomplete beta function I_x(a, b), for Student t probabilities.
 * ln B avoids the cancellation of ln Γ(a) − ln Γ(a + b) for large arguments by Stirling's series with
 * its correction term written apart (as R's lbeta / lgammacor do).
 */

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 1_000_000;
/** Stirling's series is used from here up; below it ln Γ is small and has no cancellation to fear. */
const STIRLING_FROM = 10;

/** δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π] for x ≥ 10: Stirling's correction, to 1e-16. */
const stirlingCorrection = (x: number): number => {
  const inverse = 1 / x;
  const square = inverse * inverse;
  return (
    inverse *
    (1 / 12 +
      square *
        (-1 / 360 +
          square * (1 / 1260 + square * (-1 / 1680 + square * (1 / 1188 + square * (-691 / 360360))))))
  );
};

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0. */
export const logBeta = (a: number, b: number): number => {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (!(p > 0)) return Number.NaN;
  const sum = p + q;
  if (p >= STIRLING_FROM) {
    const correction = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(sum);
    return (
      -0.5 * Math.log(q) +
      HALF_LOG_TWO_PI +
      correction +
      (p - 0.5) * Math.log(p / sum) +
      q * Math.log1p(-p / sum)
    );
  }
  if (q >= STIRLING_FROM) {
    const correction = stirlingCorrection(q) - stirlingCorrection(sum);
    return logGamma(p) + correction + p - p * Math.log(sum) + (q - 0.5) * Math.log1p(-p / sum);
  }
  return logGamma(p) + logGamma(q) - logGamma(sum);
};

/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz, double precision). */
const continuedFraction = (a: number, b: number, x: number): number => {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
};

/**
 * I_x(a, b) (scipy.special.betainc) for a, b > 0 and 0 ≤ x ≤ 1. `y` is 1 − x when the caller knows it
 * more precisely than 1 − x can be computed (x near 1), as Student t's ν/(ν + t²) and t²/(ν + t²).
 */
export const regularizedBeta = (x: number, a: number, b: number, y: number = 1 - x): number => {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) return Number.NaN;
  if (x === 0) return 0;
  if (y === 0) return 1;
  const logX = x > 0.5 ? Math.log1p(-y) : Math.log(x);
  const logY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const front = Math.exp(a * logX + b * logY - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) return (front * continuedFraction(a, b, x)) / a;
  return 1 - (front * continuedFraction(b, a, y)) / b;
};
