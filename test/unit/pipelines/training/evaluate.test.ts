import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyGate, evaluatePredictions, rocAuc } from '../../../../lambdas/pipelines/training/evaluate';

interface ReferenceCase {
  readonly name: string;
  readonly kind: 'binary' | 'multiclass' | 'regression';
  readonly labels: number[];
  readonly predictions: number[];
  readonly expected: Record<string, number | number[][]>;
}
const reference = JSON.parse(
  readFileSync(new URL('../../../fixtures/training/reference-metrics.json', import.meta.url), 'utf8'),
) as { cases: ReferenceCase[] };
const OBJECTIVE = {
  binary: 'binary:logistic',
  multiclass: 'multi:softprob',
  regression: 'reg:squarederror',
} as const;

describe('training: metrics against scikit-learn (scripts/training-reference-metrics.py)', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { metrics, confusionMatrix } = evaluatePredictions(OBJECTIVE[c.kind], c.labels, c.predictions);

    const { confusionMatrix: expectedMatrix, ...expected } = c.expected;
    expect(Object.keys(metrics).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) {
      expect(Math.abs(metrics[name]! - (value as number)), name).toBeLessThan(1e-9);
    }
    expect(confusionMatrix).toEqual(expectedMatrix);
  });

  it('covers ties, certain predictions and a one-class split among its cases', () => {
    expect(reference.cases.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'ties-and-threshold',
        'certain-right-and-wrong',
        'all-scores-tied',
        'one-class-only',
      ]),
    );
  });

  it('gives AUC 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
  });
});

describe('training: gate', () => {
  it('passes when the metric is within min and max, giving a reason per bound', () => {
    const verdict = applyGate({ metric: 'auc', min: 0.7, max: 0.99 }, { auc: 0.82, accuracy: 0.77 });

    expect(verdict).toEqual({
      passed: true,
      reasons: ['auc 0.82 ≥ min 0.7', 'auc 0.82 ≤ max 0.99'],
      metrics: { auc: 0.82, accuracy: 0.77 },
    });
  });

  it('fails below the minimum', () => {
    const verdict = applyGate({ metric: 'accuracy', min: 0.8 }, { accuracy: 0.75 });

    expect(verdict.passed).toBe(false);
    expect(verdict.reasons).toEqual(['accuracy 0.75 < min 0.8']);
  });

  it('fails a metric the model does not have', () => {
    const verdict = applyGate({ metric: 'auc', min: 0.5 }, { rmse: 3, mae: 2 });

    expect(verdict.passed).toBe(false);
    expect(verdict.reasons[0]).toMatch(/auc is not available/);
  });

  it('needs a higher-is-better metric to reach champion + margin', () => {
    const gate = { metric: 'auc', mustBeatChampionBy: 0.01 } as const;

    const beaten = applyGate(gate, { auc: 0.8 }, { auc: 0.785 });
    const notBeaten = applyGate(gate, { auc: 0.79 }, { auc: 0.785 });

    expect(beaten).toMatchObject({ passed: true, championMetrics: { auc: 0.785 } });
    expect(beaten.reasons).toEqual(['auc 0.8 ≥ 0.795 (champion 0.785 + 0.01)']);
    expect(notBeaten.passed).toBe(false);
    expect(notBeaten.reasons).toEqual(['auc 0.79 < 0.795 (champion 0.785 + 0.01)']);
  });

  it('needs a loss to be at most champion − margin', () => {
    const gate = { metric: 'rmse', mustBeatChampionBy: 0.5 } as const;

    expect(applyGate(gate, { rmse: 9.5 }, { rmse: 10 }).passed).toBe(true);
    expect(applyGate(gate, { rmse: 9.6 }, { rmse: 10 })).toMatchObject({
      passed: false,
      reasons: ['rmse 9.6 > 9.5 (champion 10 − 0.5)'],
    });
    expect(applyGate({ metric: 'logloss', max: 0.4 }, { logloss: 0.41 }).passed).toBe(false);
  });

  it('passes the champion criterion when there is no champion, and fails it when the champion lacks the metric', () => {
    const gate = { metric: 'auc', min: 0.6, mustBeatChampionBy: 0 } as const;

    expect(applyGate(gate, { auc: 0.7 })).toMatchObject({
      passed: true,
      reasons: ['auc 0.7 ≥ min 0.6', 'no champion to beat'],
    });
    expect(applyGate(gate, { auc: 0.7 }, { accuracy: 0.9 }).passed).toBe(false);
  });

  it('passes every model when there is no gate', () => {
    expect(applyGate(undefined, { auc: 0.51 }).passed).toBe(true);
  });
});
