/**
 * Held-out metrics, computed as scikit-learn computes them (test/fixtures/training/reference-metrics.json
 * holds its figures, matched to 1e-9), and the gate that decides whether a model is registered.
 */
import type { Objective } from './hyperparameters';

/** Probabilities are clipped to [ε, 1 − ε] with ε = float64's epsilon, as sklearn ≥ 1.2 log_loss does. */
const EPSILON = Number.EPSILON;

export type Metrics = Readonly<Record<string, number>>;

export interface Evaluation {
  /** auc (binary, when both classes occur), accuracy, logloss; or rmse, mae, r2. */
  readonly metrics: Metrics;
  /** Rows: actual class, columns: predicted class (classification only). */
  readonly confusionMatrix?: number[][];
}

const mean = (values: ArrayLike<number>, f: (i: number) => number): number => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += f(i);
  return sum / values.length;
};

/**
 * Area under the ROC curve as sklearn's roc_auc_score gives it: tied scores count one half (the
 * Mann–Whitney statistic with average ranks). Undefined (NaN) unless both classes occur.
 */
export const rocAuc = (labels: ArrayLike<number>, scores: ArrayLike<number>): number => {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
};

const confusion = (classes: number, labels: ArrayLike<number>, predicted: (i: number) => number) => {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]!]![predicted(i)]!++;
  return matrix;
};

/** Binary classification from the probability of class 1; a row is predicted 1 when p > 0.5 (XGBoost's rule). */
export const binaryMetrics = (labels: ArrayLike<number>, probabilities: ArrayLike<number>): Evaluation => {
  const auc = rocAuc(labels, probabilities);
  const predicted = (i: number) => (probabilities[i]! > 0.5 ? 1 : 0);
  const logloss = mean(labels, (i) => {
    const p = Math.min(Math.max(probabilities[i]!, EPSILON), 1 - EPSILON);
    const q = 1 - p;
    return -Math.log((labels[i] === 1 ? p : q) / (p + q));
  });
  const metrics: Record<string, number> = {
    accuracy: mean(labels, (i) => (predicted(i) === labels[i] ? 1 : 0)),
    logloss,
  };
  if (!Number.isNaN(auc)) metrics.auc = auc;
  return { metrics, confusionMatrix: confusion(2, labels, predicted) };
};

/** Multi-class from row-major class probabilities; a row is predicted its most probable class. */
export const multiclassMetrics = (
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  classes: number,
): Evaluation => {
  const predicted = (i: number) => {
    let best = 0;
    for (let k = 1; k < classes; k++)
      if (probabilities[i * classes + k]! > probabilities[i * classes + best]!) best = k;
    return best;
  };
  const logloss = mean(labels, (i) => {
    let sum = 0;
    for (let k = 0; k < classes; k++)
      sum += Math.min(Math.max(probabilities[i * classes + k]!, EPSILON), 1 - EPSILON);
    const p = Math.min(Math.max(probabilities[i * classes + labels[i]!]!, EPSILON), 1 - EPSILON);
    return -Math.log(p / sum);
  });
  return {
    metrics: { accuracy: mean(labels, (i) => (predicted(i) === labels[i] ? 1 : 0)), logloss },
    confusionMatrix: confusion(classes, labels, predicted),
  };
};

/** RMSE, MAE and R² (sklearn's r2_score: 1 when a constant target is predicted exactly, else 0 for one). */
export const regressionMetrics = (labels: ArrayLike<number>, predictions: ArrayLike<number>): Evaluation => {
  const labelMean = mean(labels, (i) => labels[i]!);
  const squaredError = mean(labels, (i) => (labels[i]! - predictions[i]!) ** 2);
  const variance = mean(labels, (i) => (labels[i]! - labelMean) ** 2);
  const r2 = variance === 0 ? (squaredError === 0 ? 1 : 0) : 1 - squaredError / variance;
  return {
    metrics: {
      rmse: Math.sqrt(squaredError),
      mae: mean(labels, (i) => Math.abs(labels[i]! - predictions[i]!)),
      r2,
    },
  };
};

/** The metrics of the objective; `predictions` as XgboostModel.predict gives them. */
export const evaluatePredictions = (
  objective: Objective,
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
): Evaluation => {
  if (labels.length === 0) throw new RangeError('there are no rows to evaluate');
  if (objective === 'binary:logistic') return binaryMetrics(labels, predictions);
  if (objective === 'reg:squarederror') return regressionMetrics(labels, predictions);
  const classes = predictions.length / labels.length;
  if (!Number.isInteger(classes) || classes < 2) {
    throw new RangeError(`${predictions.length} probabilities do not divide into ${labels.length} rows`);
  }
  return multiclassMetrics(labels, predictions, classes);
};

export type GateMetric = 'auc' | 'accuracy' | 'logloss' | 'rmse' | 'mae';

export interface Gate {
  readonly metric: GateMetric;
  readonly min?: number;
  readonly max?: number;
  /** Higher-is-better metrics must reach champion + d; losses (logloss, rmse, mae) champion − d. */
  readonly mustBeatChampionBy?: number;
}

export interface GateVerdict {
  readonly passed: boolean;
  /** One sentence per criterion, met or not, in the order checked. */
  readonly reasons: string[];
  readonly metrics: Metrics;
  readonly championMetrics?: Metrics;
}

export const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['logloss', 'rmse', 'mae']);

const shown = (value: number) => String(Number(value.toPrecision(6)));

/** The gate's verdict on the challenger's metrics, against the champion's on the same rows when given. */
export const applyGate = (
  gate: Gate | undefined,
  metrics: Metrics,
  championMetrics?: Metrics,
): GateVerdict => {
  const verdict = (reasons: string[], passed: boolean): GateVerdict =>
    championMetrics ? { passed, reasons, metrics, championMetrics } : { passed, reasons, metrics };
  if (!gate) return verdict(['no gate: the model is registered whatever its metrics'], true);
  const { metric } = gate;
  const value = metrics[metric];
  if (value === undefined || Number.isNaN(value)) {
    return verdict(
      [`${metric} is not available for this model (it has ${Object.keys(metrics).join(', ')})`],
      false,
    );
  }
  const checks: [boolean, string][] = [];
  if (gate.min !== undefined) {
    checks.push([
      value >= gate.min,
      `${metric} ${shown(value)} ${value >= gate.min ? '≥' : '<'} min ${shown(gate.min)}`,
    ]);
  }
  if (gate.max !== undefined) {
    checks.push([
      value <= gate.max,
      `${metric} ${shown(value)} ${value <= gate.max ? '≤' : '>'} max ${shown(gate.max)}`,
    ]);
  }
  if (gate.mustBeatChampionBy !== undefined) {
    const margin = gate.mustBeatChampionBy;
    const champion = championMetrics?.[metric];
    if (!championMetrics) {
      checks.push([true, 'no champion to beat']);
    } else if (champion === undefined || Number.isNaN(champion)) {
      checks.push([false, `the champion has no ${metric} on these rows to compare with`]);
    } else {
      const lower = LOWER_IS_BETTER.has(metric);
      const needed = lower ? champion - margin : champion + margin;
      const met = lower ? value <= needed : value >= needed;
      const relation = lower ? (met ? '≤' : '>') : met ? '≥' : '<';
      checks.push([
        met,
        `${metric} ${shown(value)} ${relation} ${shown(needed)} (champion ${shown(champion)} ${lower ? '−' : '+'} ${shown(margin)})`,
      ]);
    }
  }
  if (checks.length === 0) checks.push([true, `no bound on ${metric} was given`]);
  return verdict(
    checks.map(([, reason]) => reason),
    checks.every(([met]) => met),
  );
};
