import { ValidationError } from '../../shared/errors';
import type {
  ColumnDrift,
  ColumnType,
  DriftMethod,
  DriftOptions,
  DriftReport,
  PValueCorrection,
} from './types';

export interface ResolvedOptions {
  smallReferenceRows: number;
  pValueThreshold: number;
  wassersteinThreshold: number;
  jensenShannonThreshold: number;
  datasetDriftShare: number;
  correction: PValueCorrection;
  minCurrentRows: number;
  perColumn?: DriftOptions['perColumn'];
}

/** Defaults from the issue; every one can be overridden per call, thresholds also per column. */
export const DRIFT_DEFAULTS: Readonly<ResolvedOptions> = {
  smallReferenceRows: 1000,
  pValueThreshold: 0.05,
  wassersteinThreshold: 0.1,
  jensenShannonThreshold: 0.1,
  datasetDriftShare: 0.5,
  correction: 'none',
  // Below ~30 values a two-sample test has little power and a distance is mostly noise.
  minCurrentRows: 30,
};

/** A column's statistics before the verdict, with the counts of present values behind them. */
export interface MeasuredColumn {
  readonly name: string;
  readonly stats: Omit<ColumnDrift, 'drift' | 'verdict' | 'method'>;
  readonly referenceValues: number;
  readonly currentValues: number;
}

const checkRange = (field: string, value: number, low: number, high: number) =>
  Number.isFinite(value) && value >= low && value <= high
    ? []
    : [{ field: `options.${field}`, rule: 'range', message: `must be a number in [${low}, ${high}]` }];

export const resolveOptions = (options: DriftOptions = {}): ResolvedOptions => {
  const resolved: ResolvedOptions = { ...DRIFT_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && key in DRIFT_DEFAULTS) Object.assign(resolved, { [key]: value });
  }
  resolved.perColumn = options.perColumn;
  const issues = [
    ...checkRange('smallReferenceRows', resolved.smallReferenceRows, 0, Number.MAX_SAFE_INTEGER),
    ...checkRange('pValueThreshold', resolved.pValueThreshold, 0, 1),
    ...checkRange('wassersteinThreshold', resolved.wassersteinThreshold, 0, Number.MAX_VALUE),
    ...checkRange('jensenShannonThreshold', resolved.jensenShannonThreshold, 0, 1),
    ...checkRange('datasetDriftShare', resolved.datasetDriftShare, 0, 1),
    ...checkRange('minCurrentRows', resolved.minCurrentRows, 0, Number.MAX_SAFE_INTEGER),
    ...(['none', 'bonferroni', 'benjamini-hochberg'].includes(resolved.correction)
      ? []
      : [{ field: 'options.correction', rule: 'enum', message: 'none, bonferroni or benjamini-hochberg' }]),
  ];
  if (issues.length > 0) throw new ValidationError(issues);
  return resolved;
};

/**
 * Adjusted p-values: Bonferroni min(1, p·m); Benjamini–Hochberg's step-up min_{j≥i} p_(j)·m/j
 * (scipy.stats.false_discovery_control(method='bh')).
 */
export const adjustPValues = (pValues: readonly number[], correction: PValueCorrection): number[] => {
  const m = pValues.length;
  if (correction === 'none') return [...pValues];
  if (correction === 'bonferroni') return pValues.map((p) => Math.min(1, p * m));
  const order = pValues.map((_, i) => i).sort((x, y) => pValues[x]! - pValues[y]!);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const index = order[rank - 1]!;
    running = Math.min(running, (pValues[index]! * m) / rank);
    adjusted[index] = running;
  }
  return adjusted;
};

const methodOf = (type: ColumnType, pValueTest: boolean): DriftMethod =>
  type === 'numeric' ? (pValueTest ? 'ks' : 'wasserstein') : pValueTest ? 'chisquare' : 'jensenshannon';

/**
 * Verdicts: a reference of at most `smallReferenceRows` rows is judged by p-values (KS, chi-square),
 * a larger one by distances (W1/std, Jensen–Shannon), because a p-value on large samples flags
 * differences too small to matter. Too few current values gives 'insufficient_data', never drift.
 */
export const judge = (
  measured: readonly MeasuredColumn[],
  referenceRows: number,
  options?: DriftOptions,
): DriftReport => {
  const o = resolveOptions(options);
  const pValueTest = referenceRows <= o.smallReferenceRows;
  const insufficient = (c: MeasuredColumn) =>
    c.referenceValues === 0 || c.currentValues === 0 || c.currentValues < o.minCurrentRows;
  const tested = measured.filter((c) => pValueTest && !insufficient(c));
  const pValueOf = (c: MeasuredColumn) =>
    (c.stats.type === 'numeric' ? c.stats.ksPValue : c.stats.chiSquarePValue) ?? 1;
  const adjusted = new Map(
    adjustPValues(tested.map(pValueOf), o.correction).map((p, i) => [tested[i]!.name, p] as const),
  );

  const features: Record<string, ColumnDrift> = {};
  const judged: string[] = [];
  const drifted: string[] = [];
  for (const column of measured) {
    const { stats, name } = column;
    const method = methodOf(stats.type, pValueTest);
    const thresholds = { ...o, ...o.perColumn?.[name] };
    let verdict: ColumnDrift['verdict'] = 'insufficient_data';
    let adjustedPValue: number | undefined;
    if (!insufficient(column)) {
      judged.push(name);
      let drift: boolean;
      if (pValueTest) {
        adjustedPValue = adjusted.get(name) ?? 1;
        drift = adjustedPValue < thresholds.pValueThreshold;
      } else if (stats.type === 'numeric')
        drift = (stats.wassersteinNormed ?? 0) >= thresholds.wassersteinThreshold;
      else drift = (stats.jensenShannon ?? 0) >= thresholds.jensenShannonThreshold;
      verdict = drift ? 'drift' : 'no_drift';
      if (drift) drifted.push(name);
    }
    // The verdict first, so that a printed report reads from the conclusion to the evidence.
    const { type, ...evidence } = stats;
    features[name] = {
      type,
      drift: verdict === 'drift',
      verdict,
      method,
      ...evidence,
      ...(adjustedPValue !== undefined && o.correction !== 'none' ? { adjustedPValue } : {}),
    };
  }
  const share = judged.length === 0 ? 0 : drifted.length / judged.length;
  return {
    features,
    dataset: { drift: judged.length > 0 && share >= o.datasetDriftShare, share, driftedColumns: drifted },
  };
};
