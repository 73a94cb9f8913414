import { ValidationError } from '../../shared/errors';
import { binValues, buildEdgeLookup, type EdgeLookup, newAccumulator } from './binning';
import { type Column, categoryOf, isMissing, numericValueOf, rowCount } from './cells';
import type { BaselineProfile, CategoricalProfile, NumericProfile } from './profile';
import type { Cell, TableInput } from './types';

/**
 * A summary of one shard of current data, binned against a baseline's grid. Every field is a count
 * or a sum (min/max aside), so summaries of disjoint shards merge by addition, in any order.
 */

export interface NumericSummary {
  readonly type: 'numeric';
  readonly missing: number;
  readonly violations: number;
  /** null when the shard had no present value (JSON has no Infinity). */
  readonly min: number | null;
  readonly max: number | null;
  /** Aligned with the baseline column's bins and edges (see NumericProfile). */
  readonly between: number[];
  readonly equal: number[];
  readonly offsets: number[];
}

export interface CategoricalSummary {
  readonly type: 'categorical';
  readonly missing: number;
  /** Aligned with the baseline column's categories. */
  readonly counts: number[];
  /** Categories the baseline does not list, with counts, at most its category cap of them. */
  readonly unseen: [string, number][];
  /** Values of further unlisted categories once `unseen` is full. */
  readonly unseenOther: number;
}

export type ColumnSummary = NumericSummary | CategoricalSummary;

export interface CurrentSummary {
  readonly format: 'mlops.drift.current/1';
  /** The fingerprint of the baseline these bins belong to. */
  readonly baseline: string;
  readonly rows: number;
  /** The baseline's category cap, which also bounds each column's list of unseen categories. */
  readonly categoryCap: number;
  readonly columns: Record<string, ColumnSummary>;
  /** Columns of the current data the baseline does not have (a schema violation). */
  readonly unknownColumns: string[];
}

/** Lookups are built once per baseline column and reused by every shard in this process. */
const lookups = new WeakMap<NumericProfile, EdgeLookup>();
const lookupFor = (profile: NumericProfile): EdgeLookup => {
  let lookup = lookups.get(profile);
  if (!lookup) {
    lookup = buildEdgeLookup(profile.edges);
    lookups.set(profile, lookup);
  }
  return lookup;
};

/** A cell as binValues reads it: NaN when missing, Infinity (a type violation) when not a finite number. */
const binnable = (cell: Cell): number => {
  if (isMissing(cell)) return Number.NaN;
  const value = numericValueOf(cell);
  return Number.isNaN(value) ? Number.POSITIVE_INFINITY : value;
};

/** Cells go through this scratch buffer in chunks, so the hot loop only ever reads a Float64Array. */
const CHUNK = 65_536;

const summarizeNumeric = (
  profile: NumericProfile,
  column: Column | undefined,
  rows: number,
): NumericSummary => {
  const lookup = lookupFor(profile);
  const acc = newAccumulator(lookup.count);
  if (column === undefined) acc.missing = rows;
  else if (column instanceof Float64Array) binValues(lookup, column, 0, column.length, acc);
  else {
    const scratch = new Float64Array(Math.min(CHUNK, column.length));
    for (let from = 0; from < column.length; from += CHUNK) {
      const to = Math.min(column.length, from + CHUNK);
      for (let r = from; r < to; r++) {
        scratch[r - from] = binnable(column[r] as Cell);
      }
      binValues(lookup, scratch, 0, to - from, acc);
    }
  }
  const present = acc.min <= acc.max;
  return {
    type: 'numeric',
    missing: acc.missing,
    violations: acc.violations,
    min: present ? acc.min : null,
    max: present ? acc.max : null,
    between: Array.from(acc.between),
    equal: Array.from(acc.equal),
    offsets: Array.from(acc.offsets),
  };
};

const categoryIndexes = new WeakMap<CategoricalProfile, Map<string, number>>();
const indexFor = (profile: CategoricalProfile): Map<string, number> => {
  let index = categoryIndexes.get(profile);
  if (!index) {
    index = new Map(profile.categories.map((category, i) => [category, i]));
    categoryIndexes.set(profile, index);
  }
  return index;
};

const summarizeCategorical = (
  profile: CategoricalProfile,
  column: Column | undefined,
  rows: number,
  cap: number,
): CategoricalSummary => {
  const index = indexFor(profile);
  const counts = new Array<number>(profile.categories.length).fill(0);
  const unseen = new Map<string, number>();
  let unseenOther = 0;
  let missing = column === undefined ? rows : 0;
  for (const cell of column ?? []) {
    if (isMissing(cell)) {
      missing++;
      continue;
    }
    const category = categoryOf(cell);
    const at = index.get(category);
    if (at !== undefined) counts[at]!++;
    else if (unseen.has(category) || unseen.size < cap) unseen.set(category, (unseen.get(category) ?? 0) + 1);
    else unseenOther++;
  }
  return { type: 'categorical', missing, counts, unseen: [...unseen], unseenOther };
};

/** Summary of one shard of current data, binned against the baseline; JSON-serialisable and mergeable. */
export const summarizeShard = (baseline: BaselineProfile, shard: TableInput): CurrentSummary => {
  const rows = rowCount(shard, 'shard');
  const columns: Record<string, ColumnSummary> = {};
  for (const [name, profile] of Object.entries(baseline.columns)) {
    columns[name] =
      profile.type === 'numeric'
        ? summarizeNumeric(profile, shard[name], rows)
        : summarizeCategorical(profile, shard[name], rows, baseline.categoryCap);
  }
  const unknownColumns = Object.keys(shard).filter((name) => !(name in baseline.columns));
  return {
    format: 'mlops.drift.current/1',
    baseline: baseline.fingerprint,
    rows,
    categoryCap: baseline.categoryCap,
    columns,
    unknownColumns,
  };
};

const add = (a: readonly number[], b: readonly number[]): number[] => a.map((value, i) => value + b[i]!);
const extreme = (pick: (x: number, y: number) => number, a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : pick(a, b);

const mergeUnseen = (a: CategoricalSummary, b: CategoricalSummary, cap: number) => {
  const unseen = new Map(a.unseen);
  let unseenOther = a.unseenOther + b.unseenOther;
  for (const [category, count] of b.unseen) {
    if (unseen.has(category) || unseen.size < cap) unseen.set(category, (unseen.get(category) ?? 0) + count);
    else unseenOther += count;
  }
  return { unseen: [...unseen], unseenOther };
};

const mergeColumn = (a: ColumnSummary, b: ColumnSummary, cap: number): ColumnSummary => {
  if (a.type === 'numeric' && b.type === 'numeric')
    return {
      type: 'numeric',
      missing: a.missing + b.missing,
      violations: a.violations + b.violations,
      min: extreme(Math.min, a.min, b.min),
      max: extreme(Math.max, a.max, b.max),
      between: add(a.between, b.between),
      equal: add(a.equal, b.equal),
      offsets: add(a.offsets, b.offsets),
    };
  if (a.type === 'categorical' && b.type === 'categorical')
    return {
      type: 'categorical',
      missing: a.missing + b.missing,
      counts: add(a.counts, b.counts),
      ...mergeUnseen(a, b, cap),
    };
  throw new ValidationError([
    { field: 'summary.columns', rule: 'same_type', message: 'a column changed type between summaries' },
  ]);
};

/** The summary of both shards together: counts and sums add up, the unseen categories pool. */
export const mergeSummaries = (a: CurrentSummary, b: CurrentSummary): CurrentSummary => {
  if (a.baseline !== b.baseline)
    throw new ValidationError([
      {
        field: 'summary.baseline',
        rule: 'same_baseline',
        message: `summaries of baselines ${a.baseline} and ${b.baseline} do not merge`,
      },
    ]);
  const columns: Record<string, ColumnSummary> = {};
  for (const [name, column] of Object.entries(a.columns)) {
    const other = b.columns[name];
    columns[name] = other ? mergeColumn(column, other, a.categoryCap) : column;
  }
  for (const [name, column] of Object.entries(b.columns)) if (!(name in columns)) columns[name] = column;
  return {
    format: 'mlops.drift.current/1',
    baseline: a.baseline,
    rows: a.rows + b.rows,
    categoryCap: a.categoryCap,
    columns,
    unknownColumns: [...new Set([...a.unknownColumns, ...b.unknownColumns])],
  };
};
