import * as z from 'zod';
import { ModelName } from '../registry/schemas';
import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';
import {
  CreateMonitorBody,
  LabelsBody,
  MonitorName,
  MonitorView,
  ReportSummaryView,
  UpdateMonitorBody,
} from './schemas';

const MonitorParams = z.strictObject({ name: MonitorName });
const ReportParams = z.strictObject({
  name: MonitorName,
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a report id (a ULID)'),
});
const tags = ['monitoring'];

/** Model monitoring: monitors, their runs and reports, and delayed ground-truth labels. */
export const monitoringRoutes = {
  createMonitor: defineRoute({
    operationId: 'createMonitor',
    method: 'POST',
    path: '/monitors',
    summary:
      'Create a monitor of a model (the version an alias points at when it runs — champion by default — or a pinned version): data drift, prediction drift, feature health and performance from delayed labels, on a rate(...) or cron(...) schedule. 404 for an unknown model, 409 if the name exists.',
    tags,
    request: { body: CreateMonitorBody },
    responses: { 201: { description: 'Created and scheduled.', schema: MonitorView } },
  }),
  listMonitors: defineRoute({
    operationId: 'listMonitors',
    method: 'GET',
    path: '/monitors',
    summary: 'Monitors in name order.',
    tags,
    request: { query: PaginationQuery },
    responses: { 200: { description: 'A page of monitors.', schema: pageOf(MonitorView) } },
  }),
  getMonitor: defineRoute({
    operationId: 'getMonitor',
    method: 'GET',
    path: '/monitors/{name}',
    summary: 'A monitor, its settings and its state (last run, runs in a row with dataset drift).',
    tags,
    request: { params: MonitorParams },
    responses: { 200: { description: 'The monitor.', schema: MonitorView } },
  }),
  updateMonitor: defineRoute({
    operationId: 'updateMonitor',
    method: 'PATCH',
    path: '/monitors/{name}',
    summary: 'Change settings; fields left out stay as they are. A new schedule replaces the old one.',
    tags,
    request: { params: MonitorParams, body: UpdateMonitorBody },
    responses: { 200: { description: 'The monitor after the change.', schema: MonitorView } },
  }),
  deleteMonitor: defineRoute({
    operationId: 'deleteMonitor',
    method: 'DELETE',
    path: '/monitors/{name}',
    summary: 'Delete a monitor and its schedule; its reports stay readable.',
    tags,
    request: { params: MonitorParams },
    responses: { 204: { description: 'Deleted.' } },
  }),
  runMonitor: defineRoute({
    operationId: 'runMonitor',
    method: 'POST',
    path: '/monitors/{name}/runs',
    summary:
      'Run a monitor now, synchronously: 201 with the run summary once the report is stored and notifications sent. A run that cannot finish (no version behind the alias, no baseline) is recorded and answered with status failed and the reason. Scheduled runs in the cloud go through the drift-job state machine instead, which spreads large windows over a Distributed Map.',
    tags,
    request: { params: MonitorParams },
    responses: { 201: { description: 'The run, finished.', schema: ReportSummaryView } },
  }),
  listMonitorReports: defineRoute({
    operationId: 'listMonitorReports',
    method: 'GET',
    path: '/monitors/{name}/reports',
    summary: 'Run summaries of a monitor, newest first.',
    tags,
    request: { params: MonitorParams, query: PaginationQuery },
    responses: { 200: { description: 'A page of run summaries.', schema: pageOf(ReportSummaryView) } },
  }),
  getMonitorReport: defineRoute({
    operationId: 'getMonitorReport',
    method: 'GET',
    path: '/monitors/{name}/reports/{id}',
    summary:
      'The full report of a run: per-feature drift statistics, prediction drift, feature health, performance against the baseline.',
    tags,
    request: { params: ReportParams },
    responses: { 200: { description: 'The report.', schema: z.record(z.string(), z.unknown()) } },
  }),
  putModelLabels: defineRoute({
    operationId: 'putModelLabels',
    method: 'POST',
    path: '/models/{name}/labels',
    summary:
      'Delayed ground truth: labels of earlier predictions, by the inference id of their capture. A later label for the same id replaces the earlier one. Performance monitoring joins them to the predictions of its window.',
    tags,
    request: { params: z.strictObject({ name: ModelName }), body: LabelsBody },
    responses: {
      200: {
        description: 'Stored.',
        schema: z.object({ model: z.string(), accepted: z.number().int() }),
      },
    },
  }),
} as const;
