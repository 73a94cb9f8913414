import * as z from 'zod';
import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';
import { RUN_STATUSES } from '../shared/ports/run-search-index';

const TAGS = ['experiments'];

/** ULIDs: what the platform issues as experiment and run ids. */
const Id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id this service issued (26 characters)');

/** MLflow's rule for metric, param and tag keys. Never `#`, which separates parts of store keys. */
export const KEY_PATTERN = /^[A-Za-z0-9_\-. /]+$/;
const Key = z
  .string()
  .min(1)
  .max(250)
  .regex(KEY_PATTERN, 'may hold letters, digits, underscores, dashes, periods, spaces and slashes');

/** Refuses objects with more than `max` entries (MLflow's log_batch limits: 100 params, 100 tags). */
const atMost =
  (max: number) =>
  (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (Object.keys(value).length > max) {
      ctx.addIssue({
        code: 'too_big',
        origin: 'object',
        maximum: max,
        input: value,
        message: `at most ${max} entries`,
      });
    }
  };

const ParamValue = z.union([z.string().max(6000), z.number(), z.boolean()]);
const Params = z
  .record(Key, ParamValue)
  .superRefine(atMost(100))
  .describe('Values are stored as strings, as in MLflow (5 → "5", true → "true").');
const Tags = z.record(Key, z.string().max(5000)).superRefine(atMost(100));
const EpochMs = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** What the metadata store can hold exactly in DynamoDB as well as SQLite. */
const MetricValue = z
  .number()
  .min(-Number.MAX_SAFE_INTEGER)
  .max(Number.MAX_SAFE_INTEGER)
  .refine((v) => v === 0 || Math.abs(v) >= 1e-130, 'non-zero values must be at least 1e-130 in magnitude');

const ModelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);

// API Gateway may hand over a percent-encoded segment (a key holding "/"); keys never hold "%" themselves.
const MetricKeyParam = z
  .string()
  .transform((value, ctx) => {
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid percent-encoded key' });
      return z.NEVER;
    }
  })
  .pipe(Key);

export const ExperimentView = z.object({
  experimentId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
});

const LatestMetricView = z.object({
  value: z.number(),
  step: z.number().int(),
  timestamp: z.number().int().describe('Epoch milliseconds.'),
});

export const RunView = z.object({
  runId: z.string(),
  experimentId: z.string(),
  name: z.string().optional(),
  status: z.enum(RUN_STATUSES),
  userId: z.string().describe('Who created the run.'),
  startTime: z.iso.datetime(),
  endTime: z.iso.datetime().optional(),
  params: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  metrics: z
    .record(z.string(), LatestMetricView)
    .describe('Latest value per key: greatest (step, timestamp, value).'),
  modelVersions: z.array(
    z.object({ model: z.string(), version: z.number().int(), linkedAt: z.iso.datetime() }),
  ),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

const MetricPointView = z.object({ step: z.number().int(), timestamp: z.number().int(), value: z.number() });

const ExperimentParams = z.strictObject({ experimentId: Id });
const RunParams = z.strictObject({ runId: Id });

/** Routes of experiment tracking: experiments, runs, metrics and MLflow-style run search. */
export const experimentsRoutes = {
  createExperiment: defineRoute({
    operationId: 'createExperiment',
    method: 'POST',
    path: '/experiments',
    summary: 'Create an experiment; 409 if the name is taken.',
    tags: TAGS,
    request: {
      body: z.strictObject({
        name: z.string().trim().min(1).max(256),
        description: z.string().max(5000).optional(),
        tags: Tags.optional(),
      }),
    },
    responses: { 201: { description: 'Created.', schema: ExperimentView } },
  }),
  listExperiments: defineRoute({
    operationId: 'listExperiments',
    method: 'GET',
    path: '/experiments',
    summary: 'Experiments, newest first; `name` finds one by its exact name.',
    tags: TAGS,
    request: { query: PaginationQuery.extend({ name: z.string().min(1).max(256).optional() }) },
    responses: { 200: { description: 'A page of experiments.', schema: pageOf(ExperimentView) } },
  }),
  getExperiment: defineRoute({
    operationId: 'getExperiment',
    method: 'GET',
    path: '/experiments/{experimentId}',
    summary: 'One experiment.',
    tags: TAGS,
    request: { params: ExperimentParams },
    responses: { 200: { description: 'The experiment.', schema: ExperimentView } },
  }),
  createRun: defineRoute({
    operationId: 'createRun',
    method: 'POST',
    path: '/experiments/{experimentId}/runs',
    summary: 'Start a run (status RUNNING) with its params and tags.',
    tags: TAGS,
    request: {
      params: ExperimentParams,
      body: z.strictObject({
        name: z.string().min(1).max(250).optional(),
        params: Params.optional(),
        tags: Tags.optional(),
        startTime: z.iso.datetime({ offset: true }).optional().describe('ISO-8601; defaults to now.'),
      }),
    },
    responses: { 201: { description: 'Started.', schema: RunView } },
  }),
  getRun: defineRoute({
    operationId: 'getRun',
    method: 'GET',
    path: '/runs/{runId}',
    summary: 'One run with its params, tags, latest metrics and linked model versions.',
    tags: TAGS,
    request: { params: RunParams },
    responses: { 200: { description: 'The run.', schema: RunView } },
  }),
  logMetrics: defineRoute({
    operationId: 'logMetrics',
    method: 'POST',
    path: '/runs/{runId}/metrics',
    summary: 'Log a batch of up to 1000 metric points; the same point again is stored once.',
    tags: TAGS,
    request: {
      params: RunParams,
      body: z.strictObject({
        metrics: z
          .array(
            z.strictObject({
              key: Key,
              value: MetricValue,
              step: EpochMs.optional().describe('Non-negative integer; defaults to 0.'),
              timestamp: EpochMs.optional().describe('Epoch milliseconds; defaults to now.'),
            }),
          )
          .min(1)
          .max(1000),
      }),
    },
    responses: {
      200: {
        description: 'Logged.',
        schema: z.object({
          runId: z.string(),
          logged: z.number().int().describe('Distinct points in the batch.'),
        }),
      },
    },
  }),
  getMetricHistory: defineRoute({
    operationId: 'getMetricHistory',
    method: 'GET',
    path: '/runs/{runId}/metrics/{key}',
    summary: 'Every point of one metric, by step then timestamp (percent-encode "/" in keys).',
    tags: TAGS,
    request: { params: z.strictObject({ runId: Id, key: MetricKeyParam }), query: PaginationQuery },
    responses: { 200: { description: 'A page of points.', schema: pageOf(MetricPointView) } },
  }),
  logParams: defineRoute({
    operationId: 'logParams',
    method: 'POST',
    path: '/runs/{runId}/params',
    summary: 'Log params; a param is immutable once set (409 on another value), as in MLflow.',
    tags: TAGS,
    request: { params: RunParams, body: z.strictObject({ params: Params }) },
    responses: { 200: { description: 'The run.', schema: RunView } },
  }),
  setRunTags: defineRoute({
    operationId: 'setRunTags',
    method: 'POST',
    path: '/runs/{runId}/tags',
    summary: 'Set tags (overwriting values of the same keys).',
    tags: TAGS,
    request: { params: RunParams, body: z.strictObject({ tags: Tags }) },
    responses: { 200: { description: 'The run.', schema: RunView } },
  }),
  finishRun: defineRoute({
    operationId: 'finishRun',
    method: 'POST',
    path: '/runs/{runId}/finish',
    summary: 'End a RUNNING run with FINISHED, FAILED or KILLED; 409 if it ended with another status.',
    tags: TAGS,
    request: {
      params: RunParams,
      body: z.strictObject({
        status: z.enum(['FINISHED', 'FAILED', 'KILLED']),
        endTime: z.iso.datetime({ offset: true }).optional().describe('ISO-8601; defaults to now.'),
      }),
    },
    responses: { 200: { description: 'The run.', schema: RunView } },
  }),
  linkRunModelVersion: defineRoute({
    operationId: 'linkRunModelVersion',
    method: 'POST',
    path: '/runs/{runId}/model-versions',
    summary: 'Record a model version the run produced.',
    tags: TAGS,
    request: {
      params: RunParams,
      body: z.strictObject({ model: ModelName, version: z.number().int().min(1) }),
    },
    responses: { 200: { description: 'The run.', schema: RunView } },
  }),
  searchRuns: defineRoute({
    operationId: 'searchRuns',
    method: 'POST',
    path: '/runs/search',
    summary: "Search runs with MLflow syntax, e.g. metrics.auc > 0.8 and params.max_depth = '5'.",
    tags: TAGS,
    request: {
      body: z.strictObject({
        experimentIds: z.array(Id).min(1).max(100),
        filter: z
          .string()
          .max(4096)
          .optional()
          .describe(
            'Comparisons joined by AND: metrics.<key> (numbers), params.<key> / tags.<key> (quoted strings), attributes.{run_id,run_name,status,user_id,start_time,end_time}; =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN. A run lacking a compared key never matches.',
          ),
        orderBy: z
          .array(z.string().min(1).max(300))
          .max(10)
          .optional()
          .describe(
            'E.g. ["metrics.auc DESC", "attributes.start_time ASC"]. Runs lacking a key sort last either way; then start_time DESC, run_id.',
          ),
        limit: z.number().int().min(1).max(1000).default(100),
        nextToken: z.string().min(1).max(512).optional(),
      }),
    },
    responses: { 200: { description: 'A page of runs.', schema: pageOf(RunView) } },
  }),
} as const;
