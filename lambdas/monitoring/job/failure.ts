/**
 * A run that could not finish (no version to judge, no baseline, a store outage) still leaves a line
 * in the monitor's history: a failed summary with the reason, and the monitor's `lastStatus`. Its
 * drift streak is left as it was: a failed run confirms nothing either way.
 */
import { ConditionFailedError, PlatformError } from '../../shared/errors';
import { withOptimisticRetry } from '../../shared/optimistic-retry';
import { json } from '../../shared/stored';
import type { MonitoringDeps } from '../deps';
import { monitorKey, reportSummaryKey } from '../keys';
import { decodeMonitor, decodeReportSummary, type ReportSummary } from '../records';

export interface FailedRun {
  readonly monitor: string;
  readonly model: string;
  readonly version?: number;
  readonly runId: string;
  readonly startedAt: string;
}

/**
 * The reason a caller may read: a platform error's own message (it is written for them); for anything
 * else only its name, as the HTTP edge shows no 5xx detail — the composition root logs the error itself.
 */
export const reasonOf = (error: unknown): string => {
  if (error instanceof PlatformError) return `${error.name}: ${error.message}`.slice(0, 2000);
  return `Internal error (${error instanceof Error ? error.name : typeof error}); see the logs.`;
};

export const recordFailure = async (
  deps: MonitoringDeps,
  run: FailedRun,
  reason: string,
): Promise<ReportSummary> => {
  const finishedAt = deps.clock.now().toISOString();
  const summary: ReportSummary = {
    id: run.runId,
    monitor: run.monitor,
    model: run.model,
    ...(run.version === undefined ? {} : { version: run.version }),
    status: 'failed',
    startedAt: run.startedAt,
    finishedAt,
    rows: 0,
    alerts: [],
    error: reason,
  };
  try {
    await deps.store.put({
      ...reportSummaryKey(run.monitor, run.runId),
      data: json(summary),
      condition: { rev: 0 },
    });
  } catch (error) {
    // The run's summary exists: a replayed failure step, or a run that failed after recording success.
    if (!(error instanceof ConditionFailedError)) throw error;
    const recorded = await deps.store.get(reportSummaryKey(run.monitor, run.runId));
    // Absent only if it was removed between the refused write and this read: nothing else to show.
    return recorded === undefined ? summary : decodeReportSummary(recorded);
  }
  await withOptimisticRetry(deps.retry, async () => {
    const item = await deps.store.get(monitorKey(run.monitor));
    if (!item) return;
    const monitor = decodeMonitor(item);
    const state = {
      ...monitor.state,
      lastRunAt: finishedAt,
      lastReportId: run.runId,
      lastStatus: 'failed' as const,
    };
    await deps.store.put({
      ...monitorKey(run.monitor),
      data: json({ ...monitor, state }),
      condition: { rev: item.rev },
    });
  });
  return summary;
};
