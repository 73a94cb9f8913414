/**
 * Two-sample Kolmogorov–Smirnov: D exact on raw data, and the asymptotic p-value Q(λ) of the
 * Kolmogorov distribution (scipy.stats.kstwobign.sf), which the issue prescribes instead of
 * ks_2samp's small-sample exact mode so that one formula serves raw data and summaries alike.
 */

/**
 * D = sup |F_a − F_b| over both sorted samples. Tied values step both empirical CDFs together before
 * the difference is taken, as scipy.stats.ks_2samp does (searchsorted side='right').
 */
export const ksStatistic = (a: Float64Array, b: Float64Array): number => {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  // Once one sample is exhausted its CDF is 1 and the gap only shrinks: the loop can stop there.
  while (i < n && j < m) {
    const ai = a[i]!;
    const bj = b[j]!;
    const value = Math.min(ai, bj);
    while (i < n && a[i]! <= value) i++;
    while (j < m && b[j]! <= value) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  return d;
};

/** Below this λ, Q(λ) is 1 in double precision (the theta-function series underflows). */
const TINY_LAMBDA = 0.040611972203751713;
/** Where the two series trade places, as in scipy's xsf kolmogorov: each converges fast on its side. */
const CUTOVER = 0.82;

/**
 * Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}. For small λ the alternating series converges slowly and
 * cancels, so there Q = 1 − P with P(λ) = √(2π)/λ Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)} (Jacobi's identity).
 */
export const kolmogorovSf = (lambda: number): number => {
  if (Number.isNaN(lambda)) return Number.NaN;
  if (lambda <= TINY_LAMBDA) return 1;
  if (lambda <= CUTOVER) {
    const exponent = (-Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let k = 1; k < 20; k++) {
      const term = Math.exp(exponent * (2 * k - 1) * (2 * k - 1));
      sum += term;
      if (term <= sum * 1e-17) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum;
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term <= Math.abs(sum) * 1e-17) break;
  }
  return Math.max(0, Math.min(1, 2 * sum));
};

/** The p-value of D for samples of n and m values: Q(D·√(nm/(n+m))). */
export const ksPValue = (d: number, n: number, m: number): number =>
  kolmogorovSf(d * Math.sqrt((n * m) / (n + m)));
