/**
 * The last computing step of a run: compare the merged summaries with the baseline, judge health and
 * performance, store the full report (object store) and its summary (metadata store).
 */
import { type ModelBaseline, PREDICTION_COLUMN } from '../baselines';
import type { MonitoringDeps } from '../deps';
import { compareToBaseline, type DriftOptions, type DriftReport, summarizeShard } from '../drift';
import { featureGroupFreshness } from '../freshness';
import { evaluateHealth } from '../health';
import { reportObjectKey } from '../keys';
import { evaluatePerformance } from '../performance';
import type { Alert, DriftHeadline, MonitorReport, ReportSummary } from '../records';
import type { RunPlan } from './plan';
import type { ShardSummary } from './shard';

const headline = (report: DriftReport): DriftHeadline => ({
  drift: report.dataset.drift,
  share: report.dataset.share,
  driftedFeatures: report.dataset.driftedColumns,
});

/** The options for the one prediction column: the monitor's thresholds without column settings. */
const predictionOptions = (thresholds: DriftOptions): DriftOptions => {
  const { columns: _columns, columnTypes: _types, perColumn, ...rest } = thresholds;
  const own = perColumn?.[PREDICTION_COLUMN];
  return { ...rest, ...(own ? { perColumn: { [PREDICTION_COLUMN]: own } } : {}) };
};

/** Compares, judges and builds the report of a run from its merged shards. */
export const buildReport = async (
  deps: Pick<MonitoringDeps, 'store' | 'clock'>,
  plan: RunPlan,
  baseline: ModelBaseline,
  merged: ShardSummary,
): Promise<MonitorReport> => {
  const { monitor } = plan;
  const kinds = new Set(monitor.kinds);
  const thresholds = monitor.thresholds as DriftOptions;
  const features =
    kinds.has('data-drift') || kinds.has('feature-health')
      ? compareToBaseline(
          baseline.features,
          merged.features ?? summarizeShard(baseline.features, {}),
          thresholds,
        )
      : undefined;
  const predictionDrift = kinds.has('prediction-drift')
    ? compareToBaseline(
        baseline.predictions,
        merged.predictions ?? summarizeShard(baseline.predictions, { [PREDICTION_COLUMN]: [] }),
        predictionOptions(thresholds),
      )
    : undefined;
  const now = deps.clock.now();
  const health = kinds.has('feature-health')
    ? evaluateHealth(
        merged.health,
        features,
        monitor.health,
        await featureGroupFreshness(
          deps.store,
          baseline.featureGroups ?? [],
          now,
          monitor.health.staleAfterHours,
        ),
        merged.counts.malformed,
      )
    : undefined;
  const performance = kinds.has('performance')
    ? evaluatePerformance(merged.performance, baseline.metrics ?? {}, monitor.performance)
    : undefined;
  const dataDrift = kinds.has('data-drift') ? features : undefined;
  const alerts: Alert[] = [];
  if (dataDrift?.dataset.drift) alerts.push('data-drift');
  if (predictionDrift?.dataset.drift) alerts.push('prediction-drift');
  if (health && !health.healthy) alerts.push('feature-health');
  if (performance?.verdict === 'degraded') alerts.push('performance');
  return {
    id: plan.runId,
    monitor: monitor.name,
    model: monitor.model,
    version: plan.version,
    ...(monitor.alias === undefined ? {} : { alias: monitor.alias }),
    startedAt: plan.startedAt,
    finishedAt: now.toISOString(),
    ...(plan.window ? { window: plan.window } : {}),
    source: {
      kind: plan.source.kind,
      location: plan.source.kind === 'dataset' ? plan.source.key : plan.source.prefix,
    },
    counts: merged.counts,
    ...(dataDrift ? { dataDrift } : {}),
    ...(predictionDrift ? { predictionDrift } : {}),
    ...(health ? { health } : {}),
    ...(performance ? { performance } : {}),
    alerts,
  };
};

/** The summary item of a report. */
export const summaryOf = (report: MonitorReport, reportUri: string): ReportSummary => ({
  id: report.id,
  monitor: report.monitor,
  model: report.model,
  version: report.version,
  status: 'succeeded',
  startedAt: report.startedAt,
  finishedAt: report.finishedAt,
  rows: report.counts.rows,
  ...(report.dataDrift ? { dataDrift: headline(report.dataDrift) } : {}),
  ...(report.predictionDrift ? { predictionDrift: headline(report.predictionDrift) } : {}),
  ...(report.health
    ? { health: { healthy: report.health.healthy, issues: report.health.issues.length } }
    : {}),
  ...(report.performance
    ? {
        performance: {
          metric: report.performance.primary?.metric ?? 'none',
          value: report.performance.primary?.value ?? null,
          baseline: report.performance.primary?.baseline ?? null,
          degraded: report.performance.verdict === 'degraded',
          labelled: report.performance.labelled,
        },
      }
    : {}),
  alerts: report.alerts,
  reportUri,
});

/**
 * Stores the full report as an object and tells `onReport` (metrics); returns where it is. The summary
 * item is written by the next step, with the monitor's state, in one transaction.
 */
export const storeReport = async (
  deps: Pick<MonitoringDeps, 'objects' | 'onReport'>,
  report: MonitorReport,
): Promise<string> => {
  const key = reportObjectKey(report.monitor, report.id);
  await deps.objects.put(key, JSON.stringify(report), { contentType: 'application/json' });
  deps.onReport?.(report);
  return deps.objects.uriOf(key);
};

/** A stored report, or undefined. */
export const readReport = async (
  deps: Pick<MonitoringDeps, 'objects'>,
  monitor: string,
  id: string,
): Promise<MonitorReport | undefined> => {
  const stored = await deps.objects.get(reportObjectKey(monitor, id));
  return stored ? (JSON.parse(Buffer.from(stored.body).toString('utf8')) as MonitorReport) : undefined;
};
