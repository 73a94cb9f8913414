/**
 * The training pipeline's request and response shapes (zod): the route table and the OpenAPI document
 * read them, the task functions re-parse the request they receive so a hand-started execution is held
 * to the same rules.
 */
import * as z from 'zod';
import { MAX_INLINE_ENTITY_ROWS } from '../features/schemas';
import { ModelName } from '../registry/schemas';
import { Hyperparameters } from './training/hyperparameters';

const IsoDateTime = z.iso.datetime({ offset: true });

export const GATE_METRICS = ['auc', 'accuracy', 'logloss', 'rmse', 'mae'] as const;

export const Split = z
  .union([
    z.strictObject({
      validationFraction: z
        .number()
        .gt(0)
        .lt(1)
        .describe('Share of rows held out, chosen deterministically from the seed.'),
    }),
    z.strictObject({
      cutoff: IsoDateTime.describe('Rows with eventTime at or after the cutoff are held out.'),
    }),
  ])
  .default({ validationFraction: 0.2 });

export const Gate = z
  .strictObject({
    metric: z.enum(GATE_METRICS),
    min: z.number().optional().describe('The held-out metric must be at least this.'),
    max: z.number().optional().describe('The held-out metric must be at most this.'),
    mustBeatChampionBy: z
      .number()
      .min(0)
      .optional()
      .describe('Margin over the champion on the same held-out rows (lower is better for losses).'),
  })
  .refine((gate) => gate.min === undefined || gate.max === undefined || gate.min <= gate.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

export const DataRules = z
  .strictObject({
    minRows: z.number().int().min(1).max(100_000_000).default(50),
    maxNullRate: z.number().min(0).max(1).default(0.5),
    minorityClassWarning: z.number().min(0).max(0.5).default(0.05),
  })
  .default({ minRows: 50, maxNullRate: 0.5, minorityClassWarning: 0.05 });

export const TrainingRequest = z
  .strictObject({
    model: ModelName,
    features: z.array(z.string().max(200)).min(1).max(500).optional(),
    featureService: z.string().max(80).optional().describe('`name` (latest version) or `name@3`.'),
    entities: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .max(MAX_INLINE_ENTITY_ROWS)
      .optional()
      .describe('Entity rows: keys, `eventTime`, the label and any other column.'),
    entitiesUri: z.string().min(1).max(2048).optional(),
    label: z.string().min(1).max(256),
    algorithm: z.literal('xgboost'),
    hyperparameters: Hyperparameters.prefault({}),
    split: Split,
    gate: Gate.optional(),
    dataRules: DataRules,
    description: z.string().max(4000).optional(),
  })
  .refine((body) => (body.features === undefined) !== (body.featureService === undefined), {
    message: 'give either features or featureService',
    path: ['features'],
  })
  .refine((body) => (body.entities === undefined) !== (body.entitiesUri === undefined), {
    message: 'give either entities or entitiesUri',
    path: ['entities'],
  });

export type TrainingRequest = z.infer<typeof TrainingRequest>;
/** What the state machine carries: inline entity rows are moved to the object store first. */
export type StoredTrainingRequest = Omit<TrainingRequest, 'entities'> & { readonly entitiesUri: string };

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export const ExecutionView = z.object({
  executionId: z.string(),
  pipeline: z.literal('training'),
  model: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  steps: z.array(
    z.object({
      name: z.string(),
      status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED']),
      startedAt: z.string(),
      endedAt: z.string().optional(),
    }),
  ),
  output: z
    .object({
      datasetVersion: z.object({ sha256: z.string(), uri: z.string(), rowCount: z.number() }).optional(),
      runId: z.string().optional(),
      metrics: z.record(z.string(), z.number()).optional(),
      modelVersion: z.number().optional(),
    })
    .optional(),
  error: z.string().optional(),
  cause: z.string().optional(),
  startedBy: z.string(),
  trigger: z.enum(['api', 'schedule', 'event']),
});
export type ExecutionView = z.infer<typeof ExecutionView>;
