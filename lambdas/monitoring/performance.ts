/**
 * Model performance from delayed ground truth: labels posted after the fact, joined to captured
 * predictions by inference id, scored (AUC and accuracy for classification, RMSE and MAE for
 * regression) and compared with the version's baseline metrics. Shards keep their joined pairs, which
 * merge by concatenation, so every metric is exact over the pairs kept (at most MAX_LABELLED_PAIRS).
 */
import { rocAuc } from '../pipelines/training/evaluate';
import type { BaselineMetrics } from './baselines';
import type { Cell } from './drift';
import type { PerformanceThresholds } from './schemas';

export type Label = number | string | boolean;
/** One labelled prediction: [prediction, label]. */
export type LabelledPair = readonly [Cell, Label];

/**
 * Pairs a run keeps, ~2.5 MB of JSON: far more than the few thousand labels AUC needs to be stable
 * to ±0.01, and a run with more reports `truncated` and scores the first ones listed.
 */
export const MAX_LABELLED_PAIRS = 100_000;

export interface PerformanceSummary {
  readonly pairs: LabelledPair[];
  readonly truncated: boolean;
}

export const emptyPerformance = (): PerformanceSummary => ({ pairs: [], truncated: false });

export const mergePerformance = (a: PerformanceSummary, b: PerformanceSummary): PerformanceSummary => {
  const room = MAX_LABELLED_PAIRS - a.pairs.length;
  return {
    pairs:
      b.pairs.length <= room
        ? [...a.pairs, ...b.pairs]
        : [...a.pairs, ...b.pairs.slice(0, Math.max(room, 0))],
    truncated: a.truncated || b.truncated || b.pairs.length > room,
  };
};

export type Task = 'classification' | 'regression';
type MetricName = 'auc' | 'accuracy' | 'rmse' | 'mae';

export interface PerformanceReport {
  readonly task: Task | null;
  readonly labelled: number;
  readonly truncated: boolean;
  readonly metrics: Partial<Record<MetricName, number>>;
  readonly baseline: BaselineMetrics;
  /** The metric the verdict rests on: the first of auc, accuracy, rmse, mae that both sides have. */
  readonly primary: {
    readonly metric: MetricName;
    readonly value: number;
    readonly baseline: number | null;
    readonly degraded: boolean;
  } | null;
  readonly verdict: 'ok' | 'degraded' | 'insufficient_data';
}

/** 1 / 0 for a binary label (true, 1, "1", "true" / false, 0, "0", "false"), else undefined. */
const binary = (value: Cell): 0 | 1 | undefined => {
  if (value === true || value === 1 || value === '1' || value === 'true') return 1;
  if (value === false || value === 0 || value === '0' || value === 'false') return 0;
  return undefined;
};

const taskOf = (baseline: BaselineMetrics, pairs: readonly LabelledPair[]): Task | null => {
  if (baseline.auc !== undefined || baseline.accuracy !== undefined || baseline.logloss !== undefined)
    return 'classification';
  if (baseline.rmse !== undefined || baseline.mae !== undefined) return 'regression';
  if (pairs.length === 0) return null;
  const classLike = pairs.every(([, label]) => typeof label !== 'number' || binary(label) !== undefined);
  return classLike ? 'classification' : 'regression';
};

const classificationMetrics = (pairs: readonly LabelledPair[]): Partial<Record<MetricName, number>> => {
  const scored = pairs.filter(
    ([prediction, label]) =>
      typeof prediction === 'number' && prediction >= 0 && prediction <= 1 && binary(label) !== undefined,
  );
  if (scored.length === pairs.length && pairs.length > 0) {
    const scores = scored.map(([p]) => p as number);
    const labels = scored.map(([, l]) => binary(l) as 0 | 1);
    const auc = rocAuc(labels, scores); // NaN when only one class occurs
    // XGBoost's rule, as the pipeline's accuracy: class 1 when p > 0.5, so baseline and live agree.
    const correct = scores.filter((s, i) => (s > 0.5 ? 1 : 0) === labels[i]).length;
    return { ...(Number.isNaN(auc) ? {} : { auc }), accuracy: correct / scores.length };
  }
  // Predicted classes rather than scores: accuracy only.
  const same = (p: Cell, l: Label) => {
    const [bp, bl] = [binary(p), binary(l)];
    return bp !== undefined && bl !== undefined ? bp === bl : String(p) === String(l);
  };
  const correct = pairs.filter(([p, l]) => same(p, l)).length;
  return pairs.length === 0 ? {} : { accuracy: correct / pairs.length };
};

const regressionMetrics = (pairs: readonly LabelledPair[]): Partial<Record<MetricName, number>> => {
  let n = 0;
  let squared = 0;
  let absolute = 0;
  for (const [prediction, label] of pairs) {
    const [p, l] = [Number(prediction), Number(label)];
    if (prediction === null || !Number.isFinite(p) || !Number.isFinite(l)) continue;
    n++;
    squared += (p - l) ** 2;
    absolute += Math.abs(p - l);
  }
  return n === 0 ? {} : { rmse: Math.sqrt(squared / n), mae: absolute / n };
};

const HIGHER_IS_BETTER: Record<MetricName, boolean> = { auc: true, accuracy: true, rmse: false, mae: false };

/** Scores the pairs and compares the primary metric with the baseline's. */
export const evaluatePerformance = (
  summary: PerformanceSummary,
  baseline: BaselineMetrics,
  thresholds: PerformanceThresholds,
): PerformanceReport => {
  const task = taskOf(baseline, summary.pairs);
  const metrics =
    task === 'classification'
      ? classificationMetrics(summary.pairs)
      : task === 'regression'
        ? regressionMetrics(summary.pairs)
        : {};
  const base = { task, labelled: summary.pairs.length, truncated: summary.truncated, metrics, baseline };
  const names: MetricName[] = ['auc', 'accuracy', 'rmse', 'mae'];
  const metric =
    names.find((name) => metrics[name] !== undefined && baseline[name] !== undefined) ??
    names.find((name) => metrics[name] !== undefined);
  if (summary.pairs.length < thresholds.minLabels || metric === undefined) {
    return { ...base, primary: null, verdict: 'insufficient_data' };
  }
  const value = metrics[metric] as number;
  const reference = baseline[metric];
  const degraded =
    reference !== undefined &&
    (HIGHER_IS_BETTER[metric]
      ? value < reference - thresholds.maxDrop
      : value > reference * (1 + thresholds.maxIncrease));
  return {
    ...base,
    primary: { metric, value, baseline: reference ?? null, degraded },
    verdict: degraded ? 'degraded' : 'ok',
  };
};
