/**
 * What a finished run sets off: notifications for the checks that crossed their thresholds, the
 * monitor's state (runs in a row with dataset drift), and — opt-in per monitor — a retraining request
 * once drift is confirmed on N consecutive runs: an audit entry on the model and a RetrainingRequested
 * event. The summary item, the state and the audit entry are written in one transaction, conditional on
 * the monitor's revision, so concurrent runs count every drifted run once.
 */

import { sendNotification } from '../../platform/notifications';
import { auditOp } from '../../registry/records';
import { publishAfterCommit } from '../../shared/events/publish-after-commit';
import { withOptimisticRetry } from '../../shared/optimistic-retry';
import type { PlatformEvent } from '../../shared/ports/event-publisher';
import type { WriteOp } from '../../shared/ports/metadata-store';
import { json } from '../../shared/stored';
import type { MonitoringDeps } from '../deps';
import { monitorKey, reportSummaryKey } from '../keys';
import {
  decodeMonitor,
  decodeReportSummary,
  type MonitorReport,
  type ReportSummary,
  storable,
} from '../records';
import { summaryOf } from './finish';
import { notificationsFor } from './messages';
import type { RunPlan } from './plan';

export const MONITORING_EVENT_SOURCE = 'mlops.monitoring';

/** Sends the run's notifications, records its summary and the monitor's state; returns the summary. */
export const actOnReport = async (
  deps: MonitoringDeps,
  plan: RunPlan,
  report: MonitorReport,
  reportUri: string,
): Promise<ReportSummary> => {
  const monitorName = report.monitor;
  const base = summaryOf(report, reportUri);
  const outcome = await withOptimisticRetry(deps.retry, async () => {
    const [item, recorded] = await deps.store.batchGet([
      monitorKey(monitorName),
      reportSummaryKey(monitorName, report.id),
    ]);
    // A replayed step (the cloud retries a function whose answer was lost): the run is recorded already.
    if (recorded) return { summary: decodeReportSummary(recorded), streak: undefined, notify: undefined };
    const monitor = item === undefined ? undefined : decodeMonitor(item);
    const drifted = report.dataDrift?.dataset.drift === true;
    const streak = drifted ? (monitor?.state.consecutiveDriftRuns ?? 0) + 1 : 0;
    const retrain = monitor?.retrain !== undefined && drifted && streak >= monitor.retrain.consecutiveRuns;
    const summary: ReportSummary = storable({ ...base, retrainingRequested: retrain });
    const ops: WriteOp[] = [
      {
        kind: 'put',
        ...reportSummaryKey(monitorName, report.id),
        data: json(summary),
        condition: { rev: 0 },
      },
    ];
    if (item && monitor) {
      const state = {
        consecutiveDriftRuns: retrain ? 0 : streak,
        lastRunAt: report.finishedAt,
        lastReportId: report.id,
        lastStatus: 'succeeded' as const,
      };
      ops.push({
        kind: 'put',
        ...monitorKey(monitorName),
        data: json({ ...monitor, state }),
        condition: { rev: item.rev },
      });
    }
    if (retrain) {
      ops.push(
        auditOp({
          id: deps.newId(),
          kind: 'retraining-requested',
          at: report.finishedAt,
          actor: `monitor:${monitorName}`,
          model: report.model,
          version: report.version,
          monitor: monitorName,
          reportId: report.id,
          reportUri,
          consecutiveRuns: streak,
        }),
      );
    }
    await deps.store.transact(ops);
    // The settings of now, or of the plan when the monitor was deleted during the run.
    return { summary, streak: retrain ? streak : undefined, notify: (monitor ?? plan.monitor).notify };
  });
  if (outcome.streak !== undefined) {
    const event: PlatformEvent = {
      source: MONITORING_EVENT_SOURCE,
      detailType: 'RetrainingRequested',
      detail: json({
        model: report.model,
        version: report.version,
        monitor: monitorName,
        consecutiveRuns: outcome.streak,
        reportId: report.id,
        reportUri,
      }),
      time: report.finishedAt,
    };
    await publishAfterCommit(deps, [event]);
  }
  if (outcome.notify === undefined) return outcome.summary;
  const retrainingRequested = outcome.summary.retrainingRequested === true;
  // After the commit: a crash in between loses these notifications rather than sending them twice.
  for (const notification of notificationsFor(report, reportUri, outcome.notify, retrainingRequested)) {
    await sendNotification(deps.notifications, storable(notification));
  }
  return outcome.summary;
};
