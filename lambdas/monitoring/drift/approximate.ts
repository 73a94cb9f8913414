import { ValidationError } from '../../shared/errors';
import type { BaselineProfile, CategoricalProfile, NumericProfile } from './profile';
import { categoricalStatistics } from './stats/categorical';
import { ksPValue } from './stats/kolmogorov';
import { psi } from './stats/psi';
import { normalisingScale } from './stats/wasserstein';
import type { CategoricalSummary, CurrentSummary, NumericSummary } from './summary';
import type { ColumnDrift, DriftOptions, DriftReport } from './types';
import { judge, type MeasuredColumn } from './verdict';

/**
 * Statistics from a baseline profile and a (merged) current summary. Both empirical CDFs are known
 * exactly at every grid edge and just below it, and the integral of each CDF over every bin is known
 * exactly from its count and offset sum. Only what happens inside a bin that holds values of both
 * samples is unknown; there the CDFs are monotone between known end values, which bounds the error:
 *
 * - KS: D lies in [max of the gaps at and just below the edges, max over bins holding both samples
 *   of max(F_r(e_j−) − F_c(e_{j−1}), F_c(e_j−) − F_r(e_{j−1}))]. Exact (no bound) when no bin holds
 *   values of both samples, in particular when the reference has at most `quantileEdges` + 1 values:
 *   every one of them is an edge.
 * - W1: per bin, ∫(F_r − F_c) is exact; ∫|F_r − F_c| exceeds its absolute value by 2·min(A, B), A and
 *   B the positive and negative parts, each bounded by the bin width, the CDFs' end values and their
 *   exact integrals over the bin. The tails beyond the reference's min and max are exact.
 *
 * Both report the lower end of that interval, which is what the data pins down, and errorBounds the
 * interval's width: the exact value lies in [value, value + bound]. Measured on 100k-row samples the
 * exact W1 sat within 2 % of the width from the lower end (KS within 25 %), so the midpoint would
 * have been the worse estimate.
 * - PSI: exact, the deciles being grid edges. Chi-square and Jensen–Shannon: exact while the reference
 *   has at most `categoryCap` categories and the current one as many unseen ones, else over pooled
 *   buckets.
 */

const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

interface Bounded {
  readonly value: number;
  readonly bound: number;
}

const interval = (low: number, high: number): Bounded => ({ value: low, bound: Math.max(0, high - low) });

const ksFromBins = (ref: NumericProfile, cur: NumericSummary, m: number): Bounded => {
  const n = ref.count;
  let cr = 0;
  let cc = 0;
  let lower = 0;
  let upper = 0;
  for (let j = 0; j < ref.edges.length; j++) {
    const crBefore = cr + ref.between[j]!;
    const ccBefore = cc + cur.between[j]!;
    lower = Math.max(lower, Math.abs(crBefore / n - ccBefore / m));
    if (ref.between[j]! > 0 && cur.between[j]! > 0)
      upper = Math.max(upper, crBefore / n - cc / m, ccBefore / m - cr / n);
    cr = crBefore + ref.equal[j]!;
    cc = ccBefore + cur.equal[j]!;
    lower = Math.max(lower, Math.abs(cr / n - cc / m));
  }
  return interval(lower, upper);
};

const w1FromBins = (ref: NumericProfile, cur: NumericSummary, m: number): Bounded => {
  const n = ref.count;
  const edges = ref.edges;
  const last = edges.length;
  // Below the reference minimum F_r = 0, above its maximum F_r = 1: both tails are exact.
  let total = -cur.offsets[0]! / m + cur.offsets[last]! / m;
  let slack = 0;
  let cr = ref.equal[0]!;
  let cc = cur.between[0]! + cur.equal[0]!;
  for (let j = 1; j < last; j++) {
    const width = edges[j]! - edges[j - 1]!;
    const rLow = cr / n;
    const cLow = cc / m;
    const rHigh = (cr + ref.between[j]!) / n;
    const cHigh = (cc + cur.between[j]!) / m;
    const refArea = rLow * width + (ref.between[j]! * width - ref.offsets[j]!) / n;
    const curArea = cLow * width + (cur.between[j]! * width - cur.offsets[j]!) / m;
    const signed = refArea - curArea;
    total += Math.abs(signed);
    // (F_r − F_c)+ ≤ (F_r − c_low)+ and ≤ (r_high − F_c)+; integrate each with the known areas.
    const positiveMax = Math.min(
      width * Math.max(0, rHigh - cLow),
      refArea - cLow * width + width * Math.max(0, cLow - rLow),
      rHigh * width - curArea + width * Math.max(0, cHigh - rHigh),
    );
    const negativeMax = Math.min(
      width * Math.max(0, cHigh - rLow),
      curArea - rLow * width + width * Math.max(0, rLow - cLow),
      cHigh * width - refArea + width * Math.max(0, rHigh - cHigh),
    );
    // A − B = signed, so the smaller part is also bounded through the larger one.
    const smaller =
      signed >= 0 ? Math.min(negativeMax, positiveMax - signed) : Math.min(positiveMax, negativeMax + signed);
    slack += 2 * Math.max(0, smaller);
    cr += ref.between[j]! + ref.equal[j]!;
    cc += cur.between[j]! + cur.equal[j]!;
  }
  return interval(total, total + slack);
};

/** Counts per PSI bin (x ≤ decile) read off the grid: the deciles are edges. */
const decileCounts = (
  edges: readonly number[],
  deciles: readonly number[],
  between: readonly number[],
  equal: readonly number[],
) => {
  const counts: number[] = [];
  let cumulative = 0;
  let previous = 0;
  let j = 0;
  for (const decile of deciles) {
    for (; edges[j]! <= decile; j++) cumulative += between[j]! + equal[j]!;
    counts.push(cumulative - previous);
    previous = cumulative;
  }
  for (; j <= edges.length; j++) cumulative += between[j]! + (equal[j] ?? 0);
  counts.push(cumulative - previous);
  return counts;
};

const measureNumeric = (
  name: string,
  ref: NumericProfile,
  cur: NumericSummary,
  rows: { reference: number; current: number },
): MeasuredColumn => {
  let m = 0;
  for (const count of cur.between) m += count;
  for (const count of cur.equal) m += count;
  const base = {
    type: 'numeric' as const,
    referenceRows: rows.reference,
    currentRows: rows.current,
    missingRate: { reference: rate(ref.missing, rows.reference), current: rate(cur.missing, rows.current) },
    ...(cur.violations > 0 ? { typeViolations: cur.violations } : {}),
  };
  if (ref.count === 0 || m === 0) return { name, stats: base, referenceValues: ref.count, currentValues: m };
  const ks = ksFromBins(ref, cur, m);
  const w1 = w1FromBins(ref, cur, m);
  const scale = normalisingScale(ref.std);
  const errorBounds: ColumnDrift['errorBounds'] = {};
  if (ks.bound > 0) errorBounds.ksStatistic = ks.bound;
  if (w1.bound > 0) errorBounds.wassersteinNormed = w1.bound / scale;
  const stats: MeasuredColumn['stats'] = {
    ...base,
    ksStatistic: ks.value,
    ksPValue: ksPValue(ks.value, ref.count, m),
    wassersteinNormed: w1.value / scale,
    psi: psi(
      decileCounts(ref.edges, ref.deciles, ref.between, ref.equal),
      ref.count,
      decileCounts(ref.edges, ref.deciles, cur.between, cur.equal),
      m,
    ),
    outOfRangeRate: (cur.between[0]! + cur.between[ref.edges.length]!) / m,
    ...(Object.keys(errorBounds).length > 0 ? { errorBounds } : {}),
  };
  return { name, stats, referenceValues: ref.count, currentValues: m };
};

/** Aligned counts: the listed categories, then unseen ones (or one pooled bucket if the reference pooled). */
const alignCategories = (ref: CategoricalProfile, cur: CategoricalSummary) => {
  const unseenTotal = cur.unseen.reduce((total, [, count]) => total + count, 0) + cur.unseenOther;
  if (ref.other > 0)
    return { reference: [...ref.counts, ref.other], current: [...cur.counts, unseenTotal], unseenTotal };
  const extra = cur.unseen.map(([, count]) => count);
  if (cur.unseenOther > 0) extra.push(cur.unseenOther);
  return {
    reference: [...ref.counts, ...extra.map(() => 0)],
    current: [...cur.counts, ...extra],
    unseenTotal,
  };
};

const measureCategorical = (
  name: string,
  ref: CategoricalProfile,
  cur: CategoricalSummary,
  rows: { reference: number; current: number },
): MeasuredColumn => {
  const aligned = alignCategories(ref, cur);
  const m = aligned.current.reduce((total, count) => total + count, 0);
  const base = {
    type: 'categorical' as const,
    referenceRows: rows.reference,
    currentRows: rows.current,
    missingRate: { reference: rate(ref.missing, rows.reference), current: rate(cur.missing, rows.current) },
  };
  if (ref.count === 0 || m === 0) return { name, stats: base, referenceValues: ref.count, currentValues: m };
  return {
    name,
    stats: {
      ...base,
      ...categoricalStatistics(aligned.reference, aligned.current),
      // With pooled reference categories an unlisted current value may not be new: no rate then.
      ...(ref.other === 0 ? { unseenCategoryRate: aligned.unseenTotal / m } : {}),
    },
    referenceValues: ref.count,
    currentValues: m,
  };
};

/**
 * Drift of the summarised current data against the baseline; approximate statistics carry
 * errorBounds. Column types are the baseline's (options.columnTypes applies when profiling); columns
 * the baseline lacks are listed in the summary's unknownColumns, not judged.
 */
export const compareToBaseline = (
  baseline: BaselineProfile,
  current: CurrentSummary,
  options?: DriftOptions,
): DriftReport => {
  if (current.baseline !== baseline.fingerprint)
    throw new ValidationError([
      {
        field: 'current.baseline',
        rule: 'same_baseline',
        message: `the summary was binned against baseline ${current.baseline}, not ${baseline.fingerprint}`,
      },
    ]);
  const rows = { reference: baseline.rows, current: current.rows };
  const names = options?.columns ?? Object.keys(baseline.columns);
  const measured = names.flatMap((name): MeasuredColumn[] => {
    const ref = baseline.columns[name];
    const cur = current.columns[name];
    if (!ref || !cur) return [];
    if (ref.type === 'numeric' && cur.type === 'numeric') return [measureNumeric(name, ref, cur, rows)];
    if (ref.type === 'categorical' && cur.type === 'categorical')
      return [measureCategorical(name, ref, cur, rows)];
    return [];
  });
  return judge(measured, baseline.rows, options);
};
