import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors';
import { categoryCounts, inferColumnType, numericValues, rowCount } from './cells';
import { columnNames } from './exact';
import { decileEdges } from './stats/psi';
import { mean, populationStd } from './stats/wasserstein';
import type { DriftOptions, TableInput } from './types';

/**
 * A baseline profile: what the scale path keeps of the reference data. The reference is profiled
 * exactly (sorted once, at training time); the approximation happens only on the current side, whose
 * values are binned against the profile's grid, so summaries of shards merge by plain addition and
 * every statistic's error bound is computed exactly for each comparison (see approximate.ts).
 */

export interface ProfileOptions extends Pick<DriftOptions, 'columnTypes' | 'columns'> {
  /** Quantile ranks per numeric column's grid (2048): the KS and W1 bounds shrink as 1/this. */
  quantileEdges?: number;
  /** Categories kept per categorical column (1000); rarer ones pool into one "other" count. */
  categoryCap?: number;
}

/**
 * Numeric column. The grid is the reference values at quantile ranks i/G, denser ranks toward both
 * tails (see gridRanks) — every distinct value when there are at most G + 1 — plus the 9 deciles
 * (about 2,100 edges for G = 2048 and 1M values). Bin 0 is x < edges[0], bin j is edges[j−1] < x <
 * edges[j], bin E is x > edges[E−1]; values equal to an edge are counted apart, per edge.
 */
export interface NumericProfile {
  readonly type: 'numeric';
  readonly missing: number;
  /** Present values; the statistics below are over these. */
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** numpy-linear deciles: the PSI bin edges (all of them are grid edges too). */
  readonly deciles: number[];
  readonly edges: number[];
  /** E + 1 counts of values strictly inside each bin. */
  readonly between: number[];
  /** E counts of values equal to each edge. */
  readonly equal: number[];
  /** E + 1 sums of (x − the bin's lower edge) over the values strictly inside each bin. */
  readonly offsets: number[];
}

export interface CategoricalProfile {
  readonly type: 'categorical';
  readonly missing: number;
  readonly count: number;
  /** The most frequent categories, at most `categoryCap`, with their counts. */
  readonly categories: string[];
  readonly counts: number[];
  /** Values in categories beyond the cap. */
  readonly other: number;
}

export type ColumnProfile = NumericProfile | CategoricalProfile;

export interface BaselineProfile {
  readonly format: 'mlops.drift.baseline/1';
  /** Rows of the reference table: it picks p-value or distance tests. */
  readonly rows: number;
  /** A hash of the columns: summaries binned against another baseline are refused. */
  readonly fingerprint: string;
  readonly quantileEdges: number;
  readonly categoryCap: number;
  readonly columns: Record<string, ColumnProfile>;
}

export const PROFILE_DEFAULTS = { quantileEdges: 2048, categoryCap: 1000 } as const;

/** The most extreme values kept as edges on each side: the outer bins of heavy tails stay narrow. */
const EXTREME_VALUES = 16;

/**
 * Ranks of the grid: i/G for i = 0..G, then toward each end the ranks 1/(G·2^k) and 1 − 1/(G·2^k)
 * and the 16 most extreme values. Uniform ranks alone leave the outermost bins of a long tail very
 * wide, and a bin's width times the CDFs' rise across it is what bounds the W1 error.
 */
const gridRanks = (n: number, quantileEdges: number): number[] => {
  const ranks: number[] = [];
  for (let i = 0; i <= quantileEdges; i++) ranks.push(Math.round((i * (n - 1)) / quantileEdges));
  for (let p = 1 / (2 * quantileEdges); p * n >= 1; p /= 2)
    ranks.push(Math.round(p * (n - 1)), Math.round((1 - p) * (n - 1)));
  for (let i = 0; i < Math.min(EXTREME_VALUES, n); i++) ranks.push(i, n - 1 - i);
  return ranks;
};

/** Sorted distinct values of the grid: quantile ranks, every value of a small sample, deciles. */
const gridEdges = (sorted: Float64Array, quantileEdges: number, deciles: readonly number[]): Float64Array => {
  const n = sorted.length;
  const ranks = n <= quantileEdges + 1 ? [] : gridRanks(n, quantileEdges);
  const picked = new Float64Array((ranks.length || n) + deciles.length);
  let count = 0;
  if (ranks.length === 0) for (const value of sorted) picked[count++] = value;
  else for (const rank of ranks) picked[count++] = sorted[rank]!;
  for (const decile of deciles) picked[count++] = decile;
  const all = picked.subarray(0, count).sort();
  let distinct = 0;
  for (let i = 0; i < all.length; i++)
    if (distinct === 0 || all[i]! !== all[distinct - 1]!) all[distinct++] = all[i]!;
  return all.slice(0, distinct);
};

const profileNumeric = (sorted: Float64Array, missing: number, quantileEdges: number): NumericProfile => {
  const n = sorted.length;
  if (n === 0)
    return {
      type: 'numeric',
      missing,
      count: 0,
      mean: 0,
      std: 0,
      min: 0,
      max: 0,
      deciles: [],
      edges: [],
      between: [0],
      equal: [],
      offsets: [0],
    };
  const deciles = decileEdges(sorted);
  const edges = gridEdges(sorted, quantileEdges, deciles);
  const between = new Array<number>(edges.length + 1).fill(0);
  const equal = new Array<number>(edges.length).fill(0);
  const offsets = new Array<number>(edges.length + 1).fill(0);
  let k = 0;
  for (const value of sorted) {
    while (edges[k]! < value) k++;
    if (edges[k] === value) equal[k]!++;
    else {
      between[k]!++;
      offsets[k]! += value - edges[k - 1]!;
    }
  }
  const average = mean(sorted);
  return {
    type: 'numeric',
    missing,
    count: n,
    mean: average,
    std: populationStd(sorted, average),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    deciles,
    edges: Array.from(edges),
    between,
    equal,
    offsets,
  };
};

const profileCategorical = (
  counts: Map<string, number>,
  missing: number,
  cap: number,
): CategoricalProfile => {
  // Stable sort: equally frequent categories keep the order they first appeared in.
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  const kept = ranked.slice(0, cap);
  let count = 0;
  for (const [, c] of ranked) count += c;
  const keptCount = kept.reduce((total, [, c]) => total + c, 0);
  return {
    type: 'categorical',
    missing,
    count,
    categories: kept.map(([category]) => category),
    counts: kept.map(([, c]) => c),
    other: count - keptCount,
  };
};

const positiveInteger = (field: string, value: number) => {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ValidationError([
      { field: `options.${field}`, rule: 'positive_integer', message: 'must be a positive integer' },
    ]);
  return value;
};

/** Profiles the reference table once; JSON round-trips and is the baseline of every later comparison. */
export const profileTable = (reference: TableInput, options: ProfileOptions = {}): BaselineProfile => {
  const quantileEdges = positiveInteger(
    'quantileEdges',
    options.quantileEdges ?? PROFILE_DEFAULTS.quantileEdges,
  );
  const categoryCap = positiveInteger('categoryCap', options.categoryCap ?? PROFILE_DEFAULTS.categoryCap);
  const rows = rowCount(reference, 'reference');
  const columns: Record<string, ColumnProfile> = {};
  for (const name of columnNames(reference, {}, options)) {
    const column = reference[name];
    if (inferColumnType(options.columnTypes?.[name], column) === 'numeric') {
      const { values, missing } = numericValues(column, rows);
      columns[name] = profileNumeric(values.sort(), missing, quantileEdges);
    } else {
      const { counts, missing } = categoryCounts(column, rows);
      columns[name] = profileCategorical(counts, missing, categoryCap);
    }
  }
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ rows, columns }))
    .digest('hex')
    .slice(0, 16);
  return { format: 'mlops.drift.baseline/1', rows, fingerprint, quantileEdges, categoryCap, columns };
};
