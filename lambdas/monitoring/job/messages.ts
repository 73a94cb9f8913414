/**
 * The notifications a report sets off, one per kind of alert, so subscribers can filter by `type`
 * (an SNS filter policy on the `type` attribute in the cloud): what model and version, what crossed
 * which threshold with its statistics, and where the full report is.
 */
import type { NotificationInput } from '../../platform/notifications';
import type { ColumnDrift, DriftReport } from '../drift';
import type { MonitorRecord, MonitorReport } from '../records';

/** The statistic behind a column's verdict, as `name value`, then the PSI when there is one. */
export const statisticOf = (column: ColumnDrift): string => {
  const fixed = (value: number | undefined) => (value === undefined ? 'n/a' : value.toPrecision(3));
  const main: Record<string, string> = {
    ks: `KS D ${fixed(column.ksStatistic)}, p ${fixed(column.ksPValue)}`,
    wasserstein: `Wasserstein/std ${fixed(column.wassersteinNormed)}`,
    chisquare: `chi-square ${fixed(column.chiSquare)}, p ${fixed(column.chiSquarePValue)}`,
    jensenshannon: `Jensen-Shannon ${fixed(column.jensenShannon)}`,
  };
  const psi = column.psi === undefined ? '' : `, PSI ${fixed(column.psi)}`;
  return `${main[column.method] ?? column.method}${psi}`;
};

/**
 * Drifted columns a notification names, with their statistics: an SNS message holds 256 KiB, about
 * 500 columns' statistics; the report has them all.
 */
const MAX_NAMED_COLUMNS = 50;

/** The drifted columns with the statistics that decided them. */
const driftedDetail = (report: DriftReport) =>
  Object.fromEntries(
    report.dataset.driftedColumns
      .slice(0, MAX_NAMED_COLUMNS)
      .map((name) => [name, report.features[name] ?? null]),
  );

const driftLines = (label: string, report: DriftReport): string[] => {
  const total = Object.keys(report.features).length;
  const drifted = report.dataset.driftedColumns;
  return [
    `${label}: ${report.dataset.drift ? 'DRIFT' : 'no dataset drift'}, ${drifted.length} of ${total} columns drifted (${(report.dataset.share * 100).toFixed(1)} %)`,
    ...drifted.slice(0, MAX_NAMED_COLUMNS).map((name) => {
      const column = report.features[name];
      return `  ${name}: ${column ? statisticOf(column) : 'n/a'}`;
    }),
    ...(drifted.length > MAX_NAMED_COLUMNS ? [`  ... and ${drifted.length - MAX_NAMED_COLUMNS} more`] : []),
  ];
};

export const notificationsFor = (
  report: MonitorReport,
  reportUri: string,
  notify: MonitorRecord['notify'],
  retrainingRequested: boolean,
): NotificationInput[] => {
  const who = `model ${report.model} version ${report.version} (monitor ${report.monitor})`;
  const attributes = { model: report.model, version: String(report.version), monitor: report.monitor };
  const where = `Report: ${reportUri}`;
  const base = {
    monitor: report.monitor,
    model: report.model,
    version: report.version,
    reportId: report.id,
    reportUri,
  };
  const out: NotificationInput[] = [];
  const dataDrift = report.alerts.includes('data-drift') ? report.dataDrift : undefined;
  const predictionDrift = report.alerts.includes('prediction-drift') ? report.predictionDrift : undefined;
  if (notify.onDrift && (dataDrift || predictionDrift)) {
    out.push({
      type: 'monitoring.drift.detected',
      subject: `Drift detected: ${report.model} v${report.version}`,
      message: [
        `Drift on ${who}, ${report.counts.rows} rows.`,
        ...(dataDrift ? driftLines('Features', dataDrift) : []),
        ...(predictionDrift ? driftLines('Predictions', predictionDrift) : []),
        ...(retrainingRequested ? ['Retraining requested: drift confirmed on consecutive runs.'] : []),
        where,
      ].join('\n'),
      attributes,
      detail: {
        ...base,
        rows: report.counts.rows,
        ...(dataDrift
          ? { dataDrift: { dataset: dataDrift.dataset, features: driftedDetail(dataDrift) } }
          : {}),
        ...(predictionDrift
          ? {
              predictionDrift: { dataset: predictionDrift.dataset, features: driftedDetail(predictionDrift) },
            }
          : {}),
        retrainingRequested,
      },
    });
  }
  const health = report.alerts.includes('feature-health') ? report.health : undefined;
  if (notify.onHealth && health) {
    out.push({
      type: 'monitoring.health.degraded',
      subject: `Feature health: ${report.model} v${report.version}`,
      message: [
        `Feature health issues on ${who}:`,
        ...health.issues.map((issue) => `  ${issue.message}`),
        where,
      ].join('\n'),
      attributes,
      detail: { ...base, issues: health.issues },
    });
  }
  const performance = report.alerts.includes('performance') ? report.performance : undefined;
  if (notify.onPerformance && performance?.primary) {
    const { metric, value, baseline } = performance.primary;
    out.push({
      type: 'monitoring.performance.degraded',
      subject: `Performance degraded: ${report.model} v${report.version}`,
      message: [
        `Performance of ${who}: ${metric} ${value.toPrecision(4)} against ${baseline?.toPrecision(4)} at training, over ${performance.labelled} labelled predictions.`,
        where,
      ].join('\n'),
      attributes,
      detail: { ...base, performance },
    });
  }
  return out;
};
