/**
 * The CloudWatch metrics of a report, as plain data: the cloud job emits them as EMF through
 * Powertools; the alarm of lib/constructs/monitoring.ts watches `DriftDetected`.
 */
import type { ColumnDrift } from './drift';
import type { MonitorReport } from './records';

export interface MetricDatum {
  readonly name: string;
  readonly unit: 'Count' | 'None';
  readonly value: number;
  /** Beyond the function's own `service` dimension. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Names of the metrics, shared with the CDK alarm. */
export const DRIFT_METRICS = {
  driftDetected: 'DriftDetected',
  featureDrift: 'FeatureDrift',
  featureDriftScore: 'FeatureDriftScore',
  healthIssues: 'HealthIssues',
  performanceDegraded: 'PerformanceDegraded',
} as const;

/** The statistic behind a column's verdict, for graphs: distance, or 1 − p for the p-value tests. */
const scoreOf = (column: ColumnDrift): number | undefined => {
  if (column.method === 'wasserstein') return column.wassersteinNormed;
  if (column.method === 'jensenshannon') return column.jensenShannon;
  if (column.method === 'ks') return column.ksPValue === undefined ? undefined : 1 - column.ksPValue;
  if (column.method === 'chisquare')
    return column.chiSquarePValue === undefined ? undefined : 1 - column.chiSquarePValue;
  return undefined;
};

/**
 * One `DriftDetected` with no further dimension (the alarm's: any monitor), the same per monitor, and per
 * feature `FeatureDrift` (0/1) and `FeatureDriftScore`; health issues and performance per monitor.
 */
export const metricsOfReport = (report: MonitorReport): MetricDatum[] => {
  const monitor = { Monitor: report.monitor };
  const data: MetricDatum[] = [];
  if (report.dataDrift) {
    const drift = report.dataDrift.dataset.drift ? 1 : 0;
    data.push({ name: DRIFT_METRICS.driftDetected, unit: 'Count', value: drift, dimensions: {} });
    data.push({ name: DRIFT_METRICS.driftDetected, unit: 'Count', value: drift, dimensions: monitor });
    for (const [feature, column] of Object.entries(report.dataDrift.features)) {
      const dimensions = { ...monitor, Feature: feature };
      data.push({ name: DRIFT_METRICS.featureDrift, unit: 'Count', value: column.drift ? 1 : 0, dimensions });
      const score = scoreOf(column);
      if (score !== undefined)
        data.push({ name: DRIFT_METRICS.featureDriftScore, unit: 'None', value: score, dimensions });
    }
  }
  if (report.health) {
    data.push({
      name: DRIFT_METRICS.healthIssues,
      unit: 'Count',
      value: report.health.issues.length,
      dimensions: monitor,
    });
  }
  if (report.performance && report.performance.verdict !== 'insufficient_data') {
    const degraded = report.performance.verdict === 'degraded' ? 1 : 0;
    data.push({
      name: DRIFT_METRICS.performanceDegraded,
      unit: 'Count',
      value: degraded,
      dimensions: monitor,
    });
  }
  return data;
};
