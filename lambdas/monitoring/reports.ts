/** A monitor's run history (summaries, newest first) and its full reports. */

import { apiPage } from '../shared/page';
import type { MonitoringDeps } from './deps';
import { ReportNotFoundError } from './errors';
import { readReport } from './job/finish';
import { reportsPk } from './keys';
import { getMonitor } from './monitors';
import { decodeReportSummary, type MonitorReport, type ReportSummary } from './records';

export const listReports = async (
  deps: Pick<MonitoringDeps, 'store'>,
  monitor: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: ReportSummary[]; nextToken?: string }> => {
  await getMonitor(deps, monitor);
  const result = await deps.store.query(reportsPk(monitor), {
    limit: page.limit,
    cursor: page.cursor,
    descending: true,
  });
  return apiPage(result, decodeReportSummary);
};

/** The full report of a run; kept after its monitor is deleted, so it does not ask for the monitor. */
export const getReport = async (
  deps: Pick<MonitoringDeps, 'objects'>,
  monitor: string,
  id: string,
): Promise<MonitorReport> => {
  const report = await readReport(deps, monitor, id);
  if (!report) throw new ReportNotFoundError(monitor, id);
  return report;
};
