import { ValidationError } from '../../shared/errors';

/**
 * A variant's outcomes as a mergeable summary: the count, the sum and the sum of squared deviations
 * from the mean (M2). Values are added one at a time by Welford's update; two summaries (of shards, of
 * days) merge by Chan, Golub & LeVeque's pairwise formula, so a summary computed per shard and merged
 * equals the summary of all the values up to rounding. A binary outcome is the same summary of 0s and
 * 1s: the sum is the number of successes, exact as long as it stays below 2^53.
 */
export interface OutcomeSummary {
  readonly count: number;
  readonly sum: number;
  /** Σ (x − mean)². */
  readonly m2: number;
}

export const EMPTY_SUMMARY: OutcomeSummary = Object.freeze({ count: 0, sum: 0, m2: 0 });

/** The mean, 0 for an empty summary (a defined value; callers check `count` before reading it). */
export const summaryMean = (summary: OutcomeSummary): number =>
  summary.count > 0 ? summary.sum / summary.count : 0;

/** The sample variance (divisor n − 1, numpy's ddof=1); 0 below two values. */
export const sampleVariance = (summary: OutcomeSummary): number =>
  summary.count > 1 ? Math.max(0, summary.m2) / (summary.count - 1) : 0;

/** The population variance (divisor n); for 0/1 outcomes this is p̂(1 − p̂). 0 when empty. */
export const populationVariance = (summary: OutcomeSummary): number =>
  summary.count > 0 ? Math.max(0, summary.m2) / summary.count : 0;

/** Welford's update: the summary with one more value. */
export const addValue = (summary: OutcomeSummary, value: number): OutcomeSummary => {
  if (!Number.isFinite(value))
    throw new ValidationError([
      { field: 'value', rule: 'finite', message: `an outcome must be a finite number, got ${value}` },
    ]);
  const count = summary.count + 1;
  const previousMean = summaryMean(summary);
  const sum = summary.sum + value;
  const mean = sum / count;
  return { count, sum, m2: summary.m2 + (value - previousMean) * (value - mean) };
};

/** The summary of a batch of values (Welford's update in one pass). */
export const summarize = (values: ArrayLike<number>): OutcomeSummary => {
  let count = 0;
  let sum = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value))
      throw new ValidationError([
        {
          field: `values[${i}]`,
          rule: 'finite',
          message: `an outcome must be a finite number, got ${value}`,
        },
      ]);
    count++;
    sum += value;
    const delta = value - mean;
    mean += delta / count;
    m2 += delta * (value - mean);
  }
  return { count, sum, m2 };
};

/**
 * Chan et al.'s merge: M2 = M2_a + M2_b + δ²·n_a·n_b/n with δ = mean_b − mean_a. Commutative exactly,
 * associative up to rounding; merging with the empty summary returns the other one unchanged.
 */
export const mergeSummaries = (a: OutcomeSummary, b: OutcomeSummary): OutcomeSummary => {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const count = a.count + b.count;
  const delta = b.sum / b.count - a.sum / a.count;
  return { count, sum: a.sum + b.sum, m2: a.m2 + b.m2 + (delta * delta * (a.count * b.count)) / count };
};

/** Merge any number of summaries (per shard, per hour) into one. */
export const mergeAll = (summaries: Iterable<OutcomeSummary>): OutcomeSummary => {
  let merged = EMPTY_SUMMARY;
  for (const summary of summaries) merged = mergeSummaries(merged, summary);
  return merged;
};

const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** The summary of `successes` ones among `trials` 0/1 outcomes, exactly: M2 = s(n − s)/n. */
export const binarySummary = (successes: number, trials: number): OutcomeSummary => {
  if (!isCount(successes) || !isCount(trials) || successes > trials)
    throw new ValidationError([
      {
        field: 'successes',
        rule: 'count',
        message: `successes and trials must be whole numbers with 0 ≤ successes ≤ trials, got ${successes}/${trials}`,
      },
    ]);
  return { count: trials, sum: successes, m2: trials > 0 ? (successes * (trials - successes)) / trials : 0 };
};

/** The summary of n values with a given mean and sample variance (divisor n − 1), as reports state them. */
export const summaryFromMoments = (count: number, mean: number, variance: number): OutcomeSummary => {
  if (!isCount(count) || !Number.isFinite(mean) || !Number.isFinite(variance) || variance < 0)
    throw new ValidationError([
      {
        field: 'summary',
        rule: 'moments',
        message: `need a whole count, a finite mean and a finite variance ≥ 0, got n=${count}, mean=${mean}, variance=${variance}`,
      },
    ]);
  return { count, sum: count * mean, m2: count > 1 ? variance * (count - 1) : 0 };
};

/** Throws unless the summary is one that the functions above could have produced. */
export const checkSummary = (summary: OutcomeSummary, field: string): void => {
  if (
    !isCount(summary.count) ||
    !Number.isFinite(summary.sum) ||
    !Number.isFinite(summary.m2) ||
    summary.m2 < 0
  )
    throw new ValidationError([
      {
        field,
        rule: 'summary',
        message: `a summary needs a whole count ≥ 0, a finite sum and a finite M2 ≥ 0, got ${JSON.stringify(summary)}`,
      },
    ]);
  if (summary.count === 0 && (summary.sum !== 0 || summary.m2 !== 0))
    throw new ValidationError([
      { field, rule: 'summary', message: 'an empty summary must have sum 0 and M2 0' },
    ]);
};
