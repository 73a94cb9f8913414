import { describe, expect, it } from 'vitest';
import type { BaselineMetrics } from '../../../lambdas/monitoring/baselines';
import { evaluatePerformance, mergePerformance } from '../../../lambdas/monitoring/performance';
import { PerformanceThresholds } from '../../../lambdas/monitoring/schemas';
import { rocAuc } from '../../../lambdas/pipelines/training/evaluate';
import {
  capturesOf,
  churnFixtures,
  type MonitorFixture,
  population,
  writeCaptureRows,
} from '../../support/monitoring';

const thresholds = PerformanceThresholds.parse({});

describe('monitoring: performance metrics', () => {
  it('computes ROC AUC (the sklearn-checked one the pipeline uses) by rank sums, ties at their average rank', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 1, 0, 1], [0.2, 0.3, 0.3, 0.9])).toBe(0.875);
    expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('scores classification against the baseline AUC, degraded past maxDrop', () => {
    const pairs = Array.from({ length: 40 }, (_, i) => [i / 40, i % 4 === 0 ? 1 : i >= 20 ? 1 : 0] as const);

    const report = evaluatePerformance({ pairs, truncated: false }, { auc: 0.95 }, thresholds);

    expect(report.task).toBe('classification');
    expect(report.metrics.auc).toBeCloseTo(
      rocAuc(
        pairs.map(([, l]) => l),
        pairs.map(([p]) => p),
      ),
      12,
    );
    expect(report.primary).toMatchObject({ metric: 'auc', baseline: 0.95, degraded: true });
    expect(report.verdict).toBe('degraded');
  });

  it('scores regression by RMSE and MAE, degraded past maxIncrease (relative)', () => {
    const within = Array.from({ length: 30 }, (_, i) => [i, i + 1.05] as const);
    const beyond = Array.from({ length: 30 }, (_, i) => [i, i + 1.2] as const);
    const baseline: BaselineMetrics = { rmse: 1 };

    const ok = evaluatePerformance({ pairs: within, truncated: false }, baseline, thresholds);
    const bad = evaluatePerformance({ pairs: beyond, truncated: false }, baseline, thresholds);

    expect(ok.metrics).toEqual({ rmse: expect.closeTo(1.05, 12), mae: expect.closeTo(1.05, 12) });
    expect(ok.verdict).toBe('ok');
    expect(bad.verdict).toBe('degraded');
  });

  it('calls fewer labels than minLabels insufficient data, and accuracy for predicted classes', () => {
    const few = evaluatePerformance({ pairs: [[1, 1]], truncated: false }, { accuracy: 0.9 }, thresholds);
    const classes = Array.from(
      { length: 40 },
      (_, i) => [i % 2 ? 'yes' : 'no', i % 4 < 2 ? 'yes' : 'no'] as const,
    );

    const accuracy = evaluatePerformance({ pairs: classes, truncated: false }, {}, thresholds);

    expect(few.verdict).toBe('insufficient_data');
    expect(accuracy).toMatchObject({
      task: 'classification',
      metrics: { accuracy: 0.5 },
      primary: { baseline: null },
    });
  });

  it('keeps at most MAX_LABELLED_PAIRS when merging, and says so', () => {
    const big = { pairs: Array.from({ length: 60_000 }, () => [0.5, 1] as const), truncated: false };

    const merged = mergePerformance(big, big);

    expect(merged.pairs).toHaveLength(100_000);
    expect(merged.truncated).toBe(true);
  });
});

describe('monitoring: performance from delayed labels', () => {
  const churn = churnFixtures();
  const setup = (metrics: BaselineMetrics) =>
    churn({
      rows: 500,
      metrics,
      monitor: { name: 'churn-perf', model: 'churn', schedule: 'rate(1 day)', kind: 'performance' },
    });
  const postLabels = (f: MonitorFixture, labels: { inferenceId: string; label: number }[]) =>
    f.call('POST /models/{name}/labels', { params: { name: 'churn' }, body: { labels } });

  it('joins labels posted later to the window’s predictions by inference id and compares with the baseline', async () => {
    const f = await setup({ auc: 0.9, accuracy: 0.9 });
    const rows = population({ seed: 2, rows: 400 });
    await writeCaptureRows(f, 'churn', rows);
    const captures = capturesOf('churn', rows, f.clock.now());
    // Labels for half the predictions, agreeing with the score: AUC 1.
    await postLabels(
      f,
      captures
        .slice(0, 200)
        .map((c) => ({ inferenceId: c.inferenceId, label: Number(c.prediction) >= 0.5 ? 1 : 0 })),
    );

    const run = await f.call('POST /monitors/{name}/runs', { params: { name: 'churn-perf' } });

    expect(run.json.performance).toEqual({
      metric: 'auc',
      value: 1,
      baseline: 0.9,
      degraded: false,
      labelled: 200,
    });
    expect(run.json.alerts).toEqual([]);
  });

  it('notifies when labels show the model got worse than at training', async () => {
    const f = await setup({ auc: 0.9 });
    const rows = population({ seed: 3, rows: 100 });
    await writeCaptureRows(f, 'churn', rows);
    await postLabels(
      f,
      capturesOf('churn', rows, f.clock.now()).map((c) => ({
        inferenceId: c.inferenceId,
        label: Number(c.prediction) >= 0.5 ? 0 : 1,
      })),
    );

    const run = await f.call('POST /monitors/{name}/runs', { params: { name: 'churn-perf' } });

    expect(run.json.performance).toMatchObject({ metric: 'auc', value: 0, degraded: true, labelled: 100 });
    expect(f.publisher.types()).toEqual(['monitoring.performance.degraded']);
    expect(f.publisher.sent[0]?.message).toMatch(/auc 0\.000 against 0\.9000 at training, over 100 labelled/);
  });
});
