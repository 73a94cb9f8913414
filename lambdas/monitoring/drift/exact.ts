import { type Column, categoryCounts, inferColumnType, numericValues, rowCount } from './cells';
import { categoricalStatistics } from './stats/categorical';
import { ksPValue, ksStatistic } from './stats/kolmogorov';
import { binCounts, decileEdges, psi } from './stats/psi';
import { mean, normalisingScale, populationStd, wasserstein1 } from './stats/wasserstein';
import type { ColumnType, DriftOptions, DriftReport, TableInput } from './types';
import { judge, type MeasuredColumn } from './verdict';

/** Exact statistics on raw data: every value of both tables is sorted and compared. */

interface Sides {
  readonly reference: Column | undefined;
  readonly current: Column | undefined;
  readonly referenceRows: number;
  readonly currentRows: number;
}

const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

const measureNumeric = (name: string, sides: Sides): MeasuredColumn => {
  const reference = numericValues(sides.reference, sides.referenceRows);
  const current = numericValues(sides.current, sides.currentRows);
  const ref = reference.values.sort();
  const cur = current.values.sort();
  const n = ref.length;
  const m = cur.length;
  const base = {
    type: 'numeric' as const,
    referenceRows: sides.referenceRows,
    currentRows: sides.currentRows,
    missingRate: {
      reference: rate(reference.missing, sides.referenceRows),
      current: rate(current.missing, sides.currentRows),
    },
    ...(current.violations > 0 ? { typeViolations: current.violations } : {}),
  };
  if (n === 0 || m === 0) return { name, stats: base, referenceValues: n, currentValues: m };
  const d = ksStatistic(ref, cur);
  const deciles = decileEdges(ref);
  const low = ref[0]!;
  const high = ref[n - 1]!;
  let outside = 0;
  for (const value of cur) if (value < low || value > high) outside++;
  return {
    name,
    stats: {
      ...base,
      ksStatistic: d,
      ksPValue: ksPValue(d, n, m),
      wassersteinNormed: wasserstein1(ref, cur) / normalisingScale(populationStd(ref, mean(ref))),
      psi: psi(binCounts(ref, deciles), n, binCounts(cur, deciles), m),
      outOfRangeRate: outside / m,
    },
    referenceValues: n,
    currentValues: m,
  };
};

const measureCategorical = (name: string, sides: Sides): MeasuredColumn => {
  const reference = categoryCounts(sides.reference, sides.referenceRows);
  const current = categoryCounts(sides.current, sides.currentRows);
  const categories = [...new Set([...reference.counts.keys(), ...current.counts.keys()])];
  const refCounts = categories.map((c) => reference.counts.get(c) ?? 0);
  const curCounts = categories.map((c) => current.counts.get(c) ?? 0);
  const n = sides.referenceRows - reference.missing;
  const m = sides.currentRows - current.missing;
  let unseen = 0;
  for (const [category, count] of current.counts) if (!reference.counts.has(category)) unseen += count;
  const base = {
    type: 'categorical' as const,
    referenceRows: sides.referenceRows,
    currentRows: sides.currentRows,
    missingRate: {
      reference: rate(reference.missing, sides.referenceRows),
      current: rate(current.missing, sides.currentRows),
    },
  };
  if (n === 0 || m === 0) return { name, stats: base, referenceValues: n, currentValues: m };
  return {
    name,
    stats: { ...base, ...categoricalStatistics(refCounts, curCounts), unseenCategoryRate: unseen / m },
    referenceValues: n,
    currentValues: m,
  };
};

/** The columns compared: the ones asked for, else every column of either table, reference first. */
export const columnNames = (
  reference: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
  options?: Pick<DriftOptions, 'columns'>,
): string[] => [...(options?.columns ?? new Set([...Object.keys(reference), ...Object.keys(current)]))];

/** Exact comparison on raw data. */
export const compareTables = (
  reference: TableInput,
  current: TableInput,
  options?: DriftOptions,
): DriftReport => {
  const referenceRows = rowCount(reference, 'reference');
  const currentRows = rowCount(current, 'current');
  const measured = columnNames(reference, current, options).map((name) => {
    const sides: Sides = { reference: reference[name], current: current[name], referenceRows, currentRows };
    const type: ColumnType = inferColumnType(options?.columnTypes?.[name], sides.reference, sides.current);
    return type === 'numeric' ? measureNumeric(name, sides) : measureCategorical(name, sides);
  });
  return judge(measured, referenceRows, options);
};
