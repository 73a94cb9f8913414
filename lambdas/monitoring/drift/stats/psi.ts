/**
 * Population Stability Index. Numeric columns use 10 bins whose 9 inner edges are the reference
 * deciles (numpy's default linear quantiles), bin i holding e_{i−1} < x ≤ e_i.
 */

/** Written as literals, like the reference script: 3 × 0.1 would move a quantile's virtual index. */
export const DECILE_PROBABILITIES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** Proportions are floored here so that an empty bin does not make the logarithm infinite. */
export const PSI_FLOOR = 1e-4;

/** numpy.quantile(sorted, q) with method='linear', including numpy's two-sided interpolation. */
export const linearQuantile = (sorted: Float64Array, q: number): number => {
  const n = sorted.length;
  const index = (n - 1) * q;
  if (index >= n - 1) return sorted[n - 1]!;
  const below = Math.floor(index);
  const gamma = index - below;
  const a = sorted[below]!;
  const b = sorted[below + 1]!;
  const difference = b - a;
  return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
};

export const decileEdges = (sorted: Float64Array): number[] =>
  DECILE_PROBABILITIES.map((q) => linearQuantile(sorted, q));

/** Index of the first value greater than x in a sorted array (numpy searchsorted side='right'). */
export const upperBound = (sorted: Float64Array, x: number): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! <= x) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** Counts per PSI bin of a sorted sample: bin i holds e_{i−1} < x ≤ e_i, the last one x > e_last. */
export const binCounts = (sorted: Float64Array, edges: readonly number[]): number[] => {
  const counts: number[] = [];
  let below = 0;
  for (const edge of edges) {
    const atOrBelow = upperBound(sorted, edge);
    counts.push(atOrBelow - below);
    below = atOrBelow;
  }
  counts.push(sorted.length - below);
  return counts;
};

/** Σ (q_i − p_i)·ln(q_i / p_i) over bins, both proportions floored at 1e-4. */
export const psi = (
  referenceCounts: ArrayLike<number>,
  referenceTotal: number,
  currentCounts: ArrayLike<number>,
  currentTotal: number,
): number => {
  let total = 0;
  for (let i = 0; i < referenceCounts.length; i++) {
    const p = Math.max(referenceCounts[i]! / referenceTotal, PSI_FLOOR);
    const q = Math.max(currentCounts[i]! / currentTotal, PSI_FLOOR);
    total += (q - p) * Math.log(q / p);
  }
  return total;
};
