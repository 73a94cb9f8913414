/**
 * Monitoring's request and response shapes as zod schemas: routes.ts and the OpenAPI document read
 * them; the core imports only their types.
 */
import * as z from 'zod';
import { ALIAS_PATTERN, MODEL_NAME_PATTERN } from '../registry/schemas';
import { OBJECT_KEY_PATTERN } from '../shared/ports/object-store';

/**
 * Monitor names: lower-case, digits and dashes, at most 32, so that a schedule rule named
 * `{stage prefix}{monitor}` stays within EventBridge's 64 characters.
 */
export const MONITOR_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const MonitorName = z.string().regex(MONITOR_NAME_PATTERN, 'must match ^[a-z][a-z0-9-]{0,31}$');

export const MONITOR_KINDS = ['data-drift', 'prediction-drift', 'feature-health', 'performance'] as const;
export type MonitorKind = (typeof MONITOR_KINDS)[number];
const Kind = z.enum(MONITOR_KINDS);

const Column = z.string().min(1).max(256);
const Share = z.number().gt(0).max(1);
const boundedRecord = <V extends z.ZodType>(value: V, max: number) =>
  z.record(Column, value).refine((record) => Object.keys(record).length <= max, {
    message: `at most ${max} entries`,
  });

/** The drift engine's options (lambdas/monitoring/drift DriftOptions), as a monitor stores them. */
export const DriftThresholds = z.strictObject({
  columnTypes: boundedRecord(z.enum(['numeric', 'categorical']), 2000).optional(),
  columns: z.array(Column).max(2000).optional(),
  smallReferenceRows: z.number().int().min(0).optional(),
  pValueThreshold: z.number().gt(0).lt(1).optional(),
  wassersteinThreshold: z.number().positive().optional(),
  jensenShannonThreshold: Share.optional(),
  datasetDriftShare: Share.optional(),
  correction: z.enum(['none', 'bonferroni', 'benjamini-hochberg']).optional(),
  minCurrentRows: z.number().int().min(1).optional(),
  perColumn: boundedRecord(
    z.strictObject({
      pValueThreshold: z.number().gt(0).lt(1).optional(),
      wassersteinThreshold: z.number().positive().optional(),
      jensenShannonThreshold: Share.optional(),
    }),
    2000,
  ).optional(),
});
export type DriftThresholds = z.output<typeof DriftThresholds>;

export const HealthThresholds = z.strictObject({
  missingRateIncrease: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe('A column is unhealthy when its missing rate exceeds the baseline rate by more than this.'),
  violationRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe('Largest share of rows of a column with a wrong type, out-of-range value or unseen category.'),
  staleAfterHours: z
    .number()
    .positive()
    .max(24 * 366)
    .default(48)
    .describe("A feature group is stale when its newest event is older than this (or than the group's TTL)."),
});
export type HealthThresholds = z.output<typeof HealthThresholds>;

export const PerformanceThresholds = z.strictObject({
  maxDrop: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe('AUC / accuracy may fall this much below the baseline (absolute) before it is degradation.'),
  maxIncrease: z
    .number()
    .min(0)
    .default(0.1)
    .describe('RMSE / MAE may rise this much above the baseline (relative) before it is degradation.'),
  minLabels: z.number().int().min(1).default(30).describe('Fewer labelled predictions: insufficient data.'),
});
export type PerformanceThresholds = z.output<typeof PerformanceThresholds>;

const KeyPrefix = z
  .string()
  .regex(OBJECT_KEY_PATTERN, 'must be an object key prefix')
  .refine((key) => key.endsWith('/'), 'must end with /');
const ObjectKey = z.string().regex(OBJECT_KEY_PATTERN, 'must be an object key');

export const DataSource = z
  .strictObject({
    captureUri: KeyPrefix.optional().describe(
      'Prefix of capture files in the platform object store; hour folders yyyy/mm/dd/hh/ below it. Default captures/{model}/.',
    ),
    datasetUri: ObjectKey.optional().describe(
      'One JSON Lines object of captures (or flat rows: features plus `prediction`), compared whole.',
    ),
  })
  .refine((source) => !(source.captureUri && source.datasetUri), {
    message: 'give captureUri or datasetUri, not both',
  });
export type DataSource = z.output<typeof DataSource>;

export const NotifyOptions = z.strictObject({
  onDrift: z.boolean().default(true),
  onHealth: z.boolean().default(true),
  onPerformance: z.boolean().default(true),
});

export const RetrainOptions = z.strictObject({
  consecutiveRuns: z
    .number()
    .int()
    .min(1)
    .max(100)
    .describe('Request retraining after this many runs in a row confirm dataset drift.'),
});

export const Window = z.strictObject({
  hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 31),
});

/** `rate(...)` or `cron(...)`; the scheduler behind the monitors port checks the details. */
const Schedule = z
  .string()
  .max(256)
  .regex(/^(?:rate|cron)\(.*\)$/, 'must be rate(value unit) or cron(six fields)');

export const CreateMonitorBody = z
  .strictObject({
    name: MonitorName,
    model: z.string().regex(MODEL_NAME_PATTERN, 'must be a model name'),
    alias: z.string().regex(ALIAS_PATTERN, 'must be an alias name').optional(),
    version: z.number().int().min(1).optional().describe('Pin a version instead of following an alias.'),
    kind: z.union([Kind, z.array(Kind).min(1).max(4)]).optional(),
    schedule: Schedule,
    dataSource: DataSource.default({}),
    window: Window.default({ hours: 24 }),
    thresholds: DriftThresholds.default({}),
    health: HealthThresholds.default(HealthThresholds.parse({})),
    performance: PerformanceThresholds.default(PerformanceThresholds.parse({})),
    notify: NotifyOptions.default(NotifyOptions.parse({})),
    retrain: RetrainOptions.optional(),
  })
  .refine((body) => body.alias === undefined || body.version === undefined, {
    message: 'give alias or version, not both',
    path: ['version'],
  });
export type CreateMonitorInput = z.output<typeof CreateMonitorBody>;

export const UpdateMonitorBody = z.strictObject({
  alias: z
    .string()
    .regex(ALIAS_PATTERN, 'must be an alias name')
    .optional()
    .describe('Follow this alias from now on (ends a version pin).'),
  kind: z.union([Kind, z.array(Kind).min(1).max(4)]).optional(),
  schedule: Schedule.optional(),
  window: Window.optional(),
  thresholds: DriftThresholds.optional(),
  health: HealthThresholds.optional(),
  performance: PerformanceThresholds.optional(),
  notify: NotifyOptions.optional(),
  retrain: RetrainOptions.nullable().optional().describe('null turns automatic retraining requests off.'),
});
export type UpdateMonitorInput = z.output<typeof UpdateMonitorBody>;

export const MonitorView = z.object({
  name: z.string(),
  model: z.string(),
  alias: z.string().optional(),
  version: z.number().optional(),
  kinds: z.array(Kind),
  schedule: z.string(),
  dataSource: z.object({ captureUri: z.string().optional(), datasetUri: z.string().optional() }),
  window: z.object({ hours: z.number() }),
  thresholds: z.record(z.string(), z.unknown()),
  health: z.record(z.string(), z.unknown()),
  performance: z.record(z.string(), z.unknown()),
  notify: z.record(z.string(), z.boolean()),
  retrain: z.object({ consecutiveRuns: z.number() }).optional(),
  state: z.object({
    consecutiveDriftRuns: z.number(),
    lastRunAt: z.string().optional(),
    lastReportId: z.string().optional(),
    lastStatus: z.string().optional(),
  }),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});

export const ReportSummaryView = z.object({
  id: z.string(),
  monitor: z.string(),
  model: z.string(),
  version: z.number().optional(),
  status: z.enum(['succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string(),
  rows: z.number(),
  dataDrift: z.unknown().optional(),
  predictionDrift: z.unknown().optional(),
  health: z.unknown().optional(),
  performance: z.unknown().optional(),
  alerts: z.array(z.string()),
  retrainingRequested: z.boolean().optional(),
  reportUri: z.string().optional(),
  error: z.string().optional(),
});

export const LabelsBody = z.strictObject({
  labels: z
    .array(
      z.strictObject({
        inferenceId: z.string().min(1).max(256),
        label: z.union([z.number(), z.string().max(256), z.boolean()]),
        timestamp: z.iso.datetime({ offset: true }).optional(),
      }),
    )
    .min(1)
    .max(1000),
});
export type LabelsInput = z.output<typeof LabelsBody>;
