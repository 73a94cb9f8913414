/** A seeded generator for the simulations (mulberry32) and the draws they need. */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** A standard normal draw (Box–Muller). */
export const normalDraw = (random: () => number): number =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** Counts of `n` draws over categories with the given probabilities. */
export const multinomial = (random: () => number, n: number, probabilities: readonly number[]): number[] => {
  const counts = probabilities.map(() => 0);
  for (let i = 0; i < n; i++) {
    let u = random();
    let k = 0;
    while (k < probabilities.length - 1 && u >= probabilities[k]!) u -= probabilities[k++]!;
    counts[k]!++;
  }
  return counts;
};

/** The smallest b with P(Bin(n, p) > b) ≤ level: an upper bound a binomial count exceeds rarely. */
export const binomialUpperBound = (n: number, p: number, level: number): number => {
  const pmf: number[] = [(1 - p) ** n];
  for (let k = 1; k <= n; k++) pmf.push((pmf[k - 1]! * (n - k + 1) * p) / (k * (1 - p)));
  let above = 1;
  for (let b = 0; b <= n; b++) {
    above -= pmf[b]!;
    if (above <= level) return b;
  }
  return n;
};
