/** Wasserstein-1 between empirical distributions, and the reference moments that normalise it. */

/**
 * W1 = ∫ |F_a − F_b| dx over the two sorted samples (scipy.stats.wasserstein_distance): between
 * consecutive distinct values both empirical CDFs are constant, so the integral is a finite sum.
 */
export const wasserstein1 = (a: Float64Array, b: Float64Array): number => {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let previous = Math.min(a[0]!, b[0]!);
  let total = 0;
  while (i < n || j < m) {
    const value = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    total += Math.abs(i / n - j / m) * (value - previous);
    while (i < n && a[i]! <= value) i++;
    while (j < m && b[j]! <= value) j++;
    previous = value;
  }
  return total;
};

export const mean = (values: Float64Array): number => {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
};

/** Population standard deviation (numpy's default ddof=0), in two passes for accuracy. */
export const populationStd = (values: Float64Array, center = mean(values)): number => {
  let squares = 0;
  for (const value of values) squares += (value - center) * (value - center);
  return Math.sqrt(squares / values.length);
};

/**
 * The scale W1 is divided by. A constant reference has no spread; rather than report Infinity (which
 * JSON cannot carry) it falls back to 0.001, the floor Evidently applies, so any move of the current
 * data away from that constant reads as large.
 */
export const CONSTANT_REFERENCE_SCALE = 0.001;

export const normalisingScale = (std: number): number => (std > 0 ? std : CONSTANT_REFERENCE_SCALE);
