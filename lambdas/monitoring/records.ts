/** What monitoring stores: monitors (with their run state), report summaries, full reports. */
import * as z from 'zod';
import { checkedDecoder, zodDecoder } from '../shared/stored';
import type { DriftReport } from './drift';
import type { HealthReport } from './health';
import type { Label, PerformanceReport } from './performance';
import {
  type DataSource,
  type DriftThresholds,
  type HealthThresholds,
  MONITOR_KINDS,
  type MonitorKind,
  type PerformanceThresholds,
} from './schemas';

/** What the monitor remembers between runs; written with the revision read, like every other write. */
export interface MonitorState {
  /** Runs in a row that confirmed dataset drift; back to 0 after a run without, or a retraining request. */
  readonly consecutiveDriftRuns: number;
  readonly lastRunAt?: string;
  readonly lastReportId?: string;
  readonly lastStatus?: 'succeeded' | 'failed';
}

export interface MonitorRecord {
  readonly name: string;
  readonly model: string;
  /** The alias whose version is monitored (`champion` unless a version is pinned). */
  readonly alias?: string;
  readonly version?: number;
  readonly kinds: MonitorKind[];
  readonly schedule: string;
  readonly dataSource: DataSource;
  readonly window: { readonly hours: number };
  readonly thresholds: DriftThresholds;
  readonly health: HealthThresholds;
  readonly performance: PerformanceThresholds;
  readonly notify: { readonly onDrift: boolean; readonly onHealth: boolean; readonly onPerformance: boolean };
  readonly retrain?: { readonly consecutiveRuns: number };
  readonly state: MonitorState;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export type Alert = 'data-drift' | 'prediction-drift' | 'feature-health' | 'performance';

/** The short form of a drift report kept in summaries and notifications. */
export interface DriftHeadline {
  readonly drift: boolean;
  readonly share: number;
  readonly driftedFeatures: string[];
}

/** A run in brief: the history page shows these; the full report is an object. */
export interface ReportSummary {
  readonly id: string;
  readonly monitor: string;
  readonly model: string;
  readonly version?: number;
  readonly status: 'succeeded' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Captured predictions of the monitored version inside the window. */
  readonly rows: number;
  readonly dataDrift?: DriftHeadline;
  readonly predictionDrift?: DriftHeadline;
  readonly health?: { readonly healthy: boolean; readonly issues: number };
  readonly performance?: {
    readonly metric: string;
    readonly value: number | null;
    readonly baseline: number | null;
    readonly degraded: boolean;
    readonly labelled: number;
  };
  /** Which checks crossed their thresholds. */
  readonly alerts: Alert[];
  readonly retrainingRequested?: boolean;
  readonly reportUri?: string;
  readonly error?: string;
}

/** The full report of a run, stored as JSON in the object store. */
export interface MonitorReport {
  readonly id: string;
  readonly monitor: string;
  readonly model: string;
  readonly version: number;
  readonly alias?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly window?: { readonly from: string; readonly to: string };
  readonly source: { readonly kind: 'captures' | 'dataset'; readonly location: string };
  readonly counts: RunCounts;
  readonly dataDrift?: DriftReport;
  readonly predictionDrift?: DriftReport;
  readonly health?: HealthReport;
  readonly performance?: PerformanceReport;
  readonly alerts: Alert[];
}

/** What the run read. */
export interface RunCounts {
  readonly objects: number;
  /** Records of the monitored version inside the window. */
  readonly rows: number;
  /** Records of other versions of the model (e.g. a canary), left out of every statistic. */
  readonly otherVersions: number;
  readonly outsideWindow: number;
  readonly malformed: number;
}

/** A label of one inference, kept for the runs that judge its prediction. */
export interface StoredLabel {
  readonly inferenceId: string;
  readonly label: Label;
  readonly timestamp?: string;
  readonly receivedAt: string;
}

// Decoders: one per stored shape above (see lambdas/shared/stored.ts).

const text = z.string();
const strings = z.array(z.string());
const settings = z.looseObject({});
const headline = z.looseObject({ drift: z.boolean(), share: z.number(), driftedFeatures: strings });

export const decodeMonitor = zodDecoder<MonitorRecord>(
  'monitor',
  z.looseObject({
    name: text,
    model: text,
    alias: text.optional(),
    version: z.number().int().optional(),
    kinds: z.array(z.enum(MONITOR_KINDS)),
    schedule: text,
    dataSource: settings,
    window: z.looseObject({ hours: z.number() }),
    thresholds: settings,
    health: settings,
    performance: settings,
    notify: z.looseObject({ onDrift: z.boolean(), onHealth: z.boolean(), onPerformance: z.boolean() }),
    retrain: z.looseObject({ consecutiveRuns: z.number().int() }).optional(),
    state: z.looseObject({
      consecutiveDriftRuns: z.number().int(),
      lastRunAt: text.optional(),
      lastReportId: text.optional(),
      lastStatus: z.enum(['succeeded', 'failed']).optional(),
    }),
    createdAt: text,
    createdBy: text,
    updatedAt: text,
  }),
);

export const decodeReportSummary = zodDecoder<ReportSummary>(
  'report summary',
  z.looseObject({
    id: text,
    monitor: text,
    model: text,
    version: z.number().int().optional(),
    status: z.enum(['succeeded', 'failed']),
    startedAt: text,
    finishedAt: text,
    rows: z.number(),
    dataDrift: headline.optional(),
    predictionDrift: headline.optional(),
    health: z.looseObject({ healthy: z.boolean(), issues: z.number() }).optional(),
    performance: z
      .looseObject({
        metric: text,
        value: z.number().nullable(),
        baseline: z.number().nullable(),
        degraded: z.boolean(),
        labelled: z.number(),
      })
      .optional(),
    alerts: strings,
    retrainingRequested: z.boolean().optional(),
    reportUri: text.optional(),
    error: text.optional(),
  }),
);

/** Labels are read by the thousand in a run's join: a hand-written check, no schema. */
export const decodeLabel = checkedDecoder<StoredLabel>('label', (data) =>
  typeof data.inferenceId !== 'string'
    ? { field: 'inferenceId', message: 'expected a string' }
    : data.label === undefined || data.label === null || typeof data.label === 'object'
      ? { field: 'label', message: 'expected a string, number or boolean' }
      : typeof data.receivedAt !== 'string'
        ? { field: 'receivedAt', message: 'expected a string' }
        : undefined,
);

/**
 * A copy whose numbers every metadata store holds (DynamoDB's range): a p-value of 1e-300 becomes 0,
 * a chi-square beyond 2^53 is clamped, NaN and ±Infinity become null. Statistics land in notification
 * details and summaries, which live in the metadata store; the full report (an object) keeps them as
 * computed.
 */
export const storable = <T>(value: T): T =>
  JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'number') return v;
      if (!Number.isFinite(v)) return null;
      if (Math.abs(v) < 1e-130) return 0;
      return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, v));
    }),
  ) as T;
