/**
 * The deployments capability's request and response shapes (issue 11's fixed API): the route table and
 * the OpenAPI document read them; the core imports only their types.
 */
import * as z from 'zod';
import { ALIAS_PATTERN, ModelName } from '../registry/schemas';

/**
 * Endpoint names as SageMaker allows them (at most 63 characters, letters, digits and '-'). SageMaker
 * compares them case-insensitively: createEndpoint refuses a name equal to another but for case.
 */
export const ENDPOINT_NAME_PATTERN = /^(?=.{1,63}$)[A-Za-z0-9](-*[A-Za-z0-9])*$/;
export const EndpointName = z
  .string()
  .max(63)
  .regex(ENDPOINT_NAME_PATTERN, 'must be 1..63 of A-Z a-z 0-9 and -, starting and ending alphanumeric');
export const DeploymentId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a deployment id (ULID)');

const Version = z.int().min(1).max(9_999_999_999);
const Alias = z.string().regex(ALIAS_PATTERN, 'must be an alias name');
const Percent = z.number().gt(0).lte(100);

/** `version` or `alias`, exactly one. */
const target = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ version: Version.optional(), alias: Alias.optional(), ...shape }).superRefine((v, ctx) => {
    const given = (v as { version?: number }).version !== undefined;
    const aliased = (v as { alias?: string }).alias !== undefined;
    if (given === aliased) {
      ctx.addIssue({ code: 'custom', path: ['version'], message: 'give exactly one of version and alias' });
    }
  });

export const CreateEndpointBody = target({
  name: EndpointName,
  model: ModelName,
  instanceType: z.string().min(1).max(64).optional(),
  instanceCount: z.int().min(1).max(100).optional(),
  serverless: z
    .strictObject({ memoryMb: z.int().min(1024).max(6144), maxConcurrency: z.int().min(1).max(200) })
    .optional(),
  capture: z
    .strictObject({ percent: z.number().min(0).max(100) })
    .optional()
    .describe('Share of answered requests captured for monitoring; default 100.'),
});
export type CreateEndpointInput = z.output<typeof CreateEndpointBody>;

export const STRATEGIES = ['all-at-once', 'canary', 'linear', 'shadow', 'ab'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const Guards = z.strictObject({
  maxErrorRate: z.number().min(0).max(1).optional().describe('Largest share of failed requests.'),
  maxLatencyP99Ms: z.number().gt(0).optional().describe('Largest p99 model latency, ms.'),
  maxPredictionDrift: z.number().min(0).optional().describe('Not evaluated on the local path yet.'),
  maxDisagreement: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe(
      'Largest share of compared requests on which the new version and production disagree (another class; for regression, beyond disagreementTolerance).',
    ),
  disagreementTolerance: z
    .number()
    .min(0)
    .optional()
    .describe('Regression only: answers further apart than this disagree. Default 0.'),
  alarms: z.array(z.string().min(1).max(255)).max(10).optional().describe('CloudWatch alarms (cloud only).'),
});
export type GuardsInput = z.output<typeof Guards>;

/**
 * How an A/B deployment judges its variants. Outcomes come from labels posted to
 * `POST /models/{model}/labels`, joined by inference id to the variant that answered:
 * - `binary`: a label of 1, true, "1" or "true" is a success (1), a label of 0, false, "0" or "false"
 *   a failure (0); any other label is not counted. The metric is the success proportion.
 * - `continuous`: a numeric label (or a string holding a number) is the outcome; others are not counted.
 *   The metric is the mean.
 */
export const AB_METRICS = ['binary', 'continuous'] as const;
export const AbSettings = z.strictObject({
  metric: z.enum(AB_METRICS).describe('binary (label 1/true is a success) or continuous (the label value).'),
  alpha: z
    .number()
    .gt(0)
    .lt(0.5)
    .optional()
    .describe('False-positive rate of the sequential test; default 0.05.'),
  minimumDetectableEffect: z
    .number()
    .gt(0)
    .optional()
    .describe(
      'Smallest difference B − A worth detecting (sets the mSPRT mixture, τ² = mde²); default 0.05 for binary, required for continuous.',
    ),
  higherIsBetter: z.boolean().optional().describe('Whether a larger metric wins; default true.'),
});
export type AbSettingsInput = z.output<typeof AbSettings>;

export const DeploymentBody = target({
  strategy: z.enum(STRATEGIES),
  steps: z
    .array(Percent)
    .min(1)
    .max(20)
    .optional()
    .describe('Traffic percentages of the new version, increasing; 100 is appended when missing.'),
  bakeSeconds: z.int().min(0).max(86_400).optional(),
  shadowPercent: Percent.optional().describe('Share of requests mirrored to the shadow; default 100.'),
  guards: Guards.optional(),
  ab: AbSettings.optional().describe(
    'A/B only (required with strategy "ab"). The split is `steps: [percent of B]` (one step, below 100; default 50).',
  ),
}).superRefine((body, ctx) => {
  const steps = body.steps ?? [];
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! <= steps[i - 1]!) {
      ctx.addIssue({ code: 'custom', path: ['steps', i], message: 'steps must increase' });
    }
  }
  if (body.strategy !== 'ab') {
    if (body.ab !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ab'], message: 'ab settings go with strategy "ab" only' });
    }
    return;
  }
  if (body.ab === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ab'], message: 'an A/B deployment needs ab: {metric, ...}' });
  } else if (body.ab.metric === 'continuous' && body.ab.minimumDetectableEffect === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['ab', 'minimumDetectableEffect'],
      message: 'a continuous metric needs the smallest effect worth detecting, in the label unit',
    });
  }
  if (body.steps !== undefined && (body.steps.length !== 1 || body.steps[0]! >= 100)) {
    ctx.addIssue({
      code: 'custom',
      path: ['steps'],
      message: "an A/B split is one step: B's percent of traffic, below 100 (e.g. [50])",
    });
  }
  if (body.guards !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['guards'],
      message: 'guards are not evaluated on A/B deployments; the sequential test decides',
    });
  }
  if (body.shadowPercent !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['shadowPercent'],
      message: 'shadowPercent goes with strategy "shadow"',
    });
  }
});
export type DeploymentInput = z.output<typeof DeploymentBody>;

export const RollbackBody = z
  .strictObject({
    reason: z.string().min(1).max(1000).optional(),
    fromVersion: Version.optional().describe(
      'The version the rollback replaces (during a deployment, its new version; else the production version). When the endpoint no longer has it there, 409 and nothing changes.',
    ),
  })
  .describe('Why the endpoint is rolled back; recorded in its history.');

const FeatureValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);

export const InvocationBody = z
  .strictObject({
    features: z.record(z.string().min(1).max(256), FeatureValue).optional(),
    instances: z
      .array(z.array(FeatureValue).max(2000))
      .min(1)
      .max(1000)
      .optional()
      .describe('Rows of values in the order of the version signature inputs.'),
    entity: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    key: z.string().min(1).max(256).optional().describe('Sticky assignment: the same key, the same variant.'),
    inferenceId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,128}$/)
      .optional(),
  })
  .superRefine((body, ctx) => {
    const given = [body.features, body.instances, body.entity].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['features'],
        message: 'give exactly one of features, instances, entity',
      });
    }
  });
export type InvocationInput = z.output<typeof InvocationBody>;

const Prediction = z.union([z.number(), z.null()]);

export const InvocationView = z.object({
  prediction: Prediction.optional(),
  predictions: z.array(Prediction).optional(),
  model: z.string(),
  version: z.int(),
  variant: z.string(),
  inferenceId: z.string(),
});

export const VariantView = z.object({
  name: z.string(),
  model: z.string(),
  version: z.int(),
  weight: z.number(),
  role: z.enum(['production', 'shadow']),
});

export const HistoryEntryView = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  version: z.int().optional(),
  from: z.int().nullable().optional(),
  deploymentId: z.string().optional(),
  reason: z.string().optional(),
});

export const EndpointView = z.object({
  name: z.string(),
  model: z.string(),
  status: z.enum(['InService', 'Updating']),
  variants: z.array(VariantView),
  shadowPercent: z.number().optional(),
  activeDeployment: z.string().optional(),
  capture: z.object({ percent: z.number() }),
  history: z.array(HistoryEntryView),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const EvaluationView = z.object({
  at: z.string(),
  passed: z.boolean(),
  variant: z.string(),
  requests: z.int(),
  errors: z.int(),
  errorRate: z.number().nullable(),
  latencyP99Ms: z.number().nullable(),
  compared: z.int(),
  disagreed: z.int(),
  disagreement: z.number().nullable(),
  failed: z.array(z.object({ guard: z.string(), limit: z.number(), observed: z.number() })),
});

export const DeploymentView = z.object({
  id: z.string(),
  endpoint: z.string(),
  model: z.string(),
  version: z.int(),
  from: z.int().nullable(),
  strategy: z.enum(STRATEGIES),
  status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED']),
  phases: z.array(
    z.object({
      weights: z.record(z.string(), z.number()),
      startedAt: z.string(),
      endedAt: z.string().optional(),
      evaluation: EvaluationView.optional(),
    }),
  ),
  ab: AbSettings.extend({ control: z.string(), controlVersion: z.int() }).optional(),
  decision: z.string().optional(),
  reason: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
});

export const CreatedEndpointView = z.object({ name: z.string(), deploymentId: z.string() });
export const StartedDeploymentView = z.object({ deploymentId: z.string() });

const IntervalView = z.tuple([z.number(), z.number()]).nullable();

/** An A/B deployment's experiment: per-variant figures, the sample-ratio check, both tests, the decision. */
export const ExperimentView = z.object({
  deploymentId: z.string(),
  endpoint: z.string(),
  status: z.enum(['IN_PROGRESS', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED']),
  metric: z.enum(AB_METRICS),
  alpha: z.number(),
  weights: z.record(z.string(), z.number()),
  asOf: z.string(),
  final: z
    .boolean()
    .describe(
      'true: the look that ended the deployment; false: a read of the data so far, not recorded as a look.',
    ),
  variants: z.array(
    z.object({
      name: z.string(),
      version: z.int(),
      assigned: z.int().describe('Inferences routed to the variant (what the sample-ratio check counts).'),
      n: z.int().describe('Outcomes: assigned inferences with a usable label.'),
      metric: z.number().nullable(),
      interval: IntervalView,
    }),
  ),
  srm: z.object({
    chiSquare: z.number(),
    degreesOfFreedom: z.int(),
    pValue: z.number(),
    mismatch: z.boolean(),
    expected: z.array(z.number()),
  }),
  sequential: z.object({
    test: z.literal('msprt-normal-mixture'),
    tau2: z.number(),
    statistic: z.number(),
    pValue: z.number(),
    rejected: z.boolean(),
    rejectedAtLook: z.int().nullable(),
    looks: z.int(),
  }),
  fixedHorizon: z.looseObject({ test: z.string(), pValue: z.number() }).nullable(),
  decision: z.enum(['A', 'B', 'no-evidence-yet', 'invalid-srm']),
  winner: z.string().nullable(),
  reason: z.string(),
  looks: z.array(
    z.object({
      at: z.string(),
      assigned: z.tuple([z.int(), z.int()]),
      n: z.tuple([z.int(), z.int()]),
      statistic: z.number(),
      pValue: z.number(),
      decision: z.string(),
    }),
  ),
});
