/**
 * The registry's request and response shapes, as zod schemas: the route table (routes.ts) and the
 * OpenAPI document read them; the core imports only their types.
 */
import * as z from 'zod';

/** Model names: what the issue fixes; no '#', so a name never breaks out of its key. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Alias names start with a letter, so that an alias is never mistaken for a version number. */
export const ALIAS_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
/** Versions are 1..9,999,999,999: ten digits, the width of the zero-padded sort key. */
export const MAX_VERSION = 9_999_999_999;

export const VERSION_STATUSES = ['PendingApproval', 'Approved', 'Rejected', 'Archived'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
export const DECISIONS = ['Approved', 'Rejected', 'Archived'] as const;
export type Decision = (typeof DECISIONS)[number];

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hexadecimal characters (SHA-256)');
const Text = (max: number) => z.string().max(max);
const Key = z.string().regex(/^[A-Za-z0-9_.:/-]{1,128}$/, 'must be 1..128 of A-Z a-z 0-9 _ . : / -');
/** A number both stores hold exactly (the DynamoDB marshaller refuses others). */
const StoredNumber = z
  .number()
  .refine((n) => Math.abs(n) <= Number.MAX_SAFE_INTEGER && (n === 0 || Math.abs(n) >= 1e-130), {
    message: 'must be 0 or lie within ±1e-130 .. ±(2^53 - 1)',
  });
const boundedRecord = <V extends z.ZodType>(value: V, max: number) =>
  z.record(Key, value).refine((record) => Object.keys(record).length <= max, {
    message: `at most ${max} entries`,
  });

export const ModelName = z
  .string()
  .regex(MODEL_NAME_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$');
export const AliasName = z.string().regex(ALIAS_PATTERN, 'must match ^[A-Za-z][A-Za-z0-9._-]{0,63}$');
/** A version in a path: decimal digits without a leading zero. */
export const VersionParam = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a version number from 1')
  .transform(Number)
  .pipe(z.number().int().max(MAX_VERSION));

export const Tags = boundedRecord(Text(256), 50);

export const ModelCard = z.strictObject({
  purpose: Text(4000).optional(),
  intendedUse: Text(4000).optional(),
  limitations: Text(4000).optional(),
  owner: Text(256).optional(),
  /** Any further sections (ethics, evaluation data, caveats, ...) as named text. */
  extra: boundedRecord(Text(4000), 20).optional(),
});

export const CreateModelBody = z.strictObject({
  name: ModelName,
  description: Text(4000).optional(),
  tags: Tags.optional(),
  card: ModelCard.optional(),
  protectedAliases: z
    .array(AliasName)
    .max(20)
    .default(['champion'])
    .describe('Aliases that may only point at Approved versions; champion unless you say otherwise.'),
  approvers: z
    .array(z.string().min(1).max(256))
    .min(1)
    .max(100)
    .optional()
    .describe(
      'Who may decide approvals and move protected aliases: IAM principal ARNs (cloud) or actor names (local). Anyone when absent.',
    ),
});

const Column = z.strictObject({
  name: z.string().min(1).max(256),
  type: z.string().min(1).max(64),
  shape: z.array(z.number().int().min(-1)).max(8).optional(),
  optional: z.boolean().optional(),
});
export const Signature = z.strictObject({
  inputs: z.array(Column).max(2000),
  outputs: z.array(Column).max(2000),
});

export const Lineage = z.strictObject({
  datasets: z
    .array(
      z.strictObject({
        uri: z.string().min(1).max(2048),
        sha256: Sha256,
        schema: z.array(Column).max(2000).optional(),
        rowCount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      }),
    )
    .max(100)
    .default([]),
  featureGroups: z
    .array(z.strictObject({ name: z.string().min(1).max(256), version: z.number().int().min(1) }))
    .max(100)
    .default([]),
  featureService: z
    .strictObject({ name: z.string().min(1).max(256), version: z.number().int().min(1) })
    .optional(),
  trainingRun: z
    .strictObject({
      runId: z.string().min(1).max(256),
      params: boundedRecord(z.union([Text(4096), StoredNumber, z.boolean()]), 1000).optional(),
      metrics: boundedRecord(StoredNumber, 1000).optional(),
    })
    .optional(),
  code: z
    .strictObject({
      gitSha: z
        .string()
        .regex(/^[0-9a-f]{7,64}$/i)
        .optional(),
      image: Text(1024).optional(),
    })
    .optional(),
  pipelineExecution: z.strictObject({ executionId: z.string().min(1).max(2048) }).optional(),
});

export const RegisterVersionBody = z.strictObject({
  artifactUri: z.string().min(1).max(2048),
  artifactSha256: Sha256.transform((hex) => hex.toLowerCase()),
  metrics: boundedRecord(StoredNumber, 1000).optional(),
  params: boundedRecord(z.union([Text(4096), StoredNumber, z.boolean()]), 1000).optional(),
  signature: Signature.optional(),
  lineage: Lineage.optional(),
  description: Text(4000).optional(),
});

export const DecisionBody = z.strictObject({
  decision: z.enum(DECISIONS),
  reviewer: z.string().min(1).max(256),
  comment: z.string().min(1).max(4000),
});

export const MoveAliasBody = z.strictObject({
  version: z.number().int().min(1).max(MAX_VERSION),
});

export type CreateModelInput = z.output<typeof CreateModelBody>;
export type RegisterVersionInput = z.output<typeof RegisterVersionBody>;
export type DecisionInput = z.output<typeof DecisionBody>;
export type LineageInput = z.output<typeof Lineage>;

// Response shapes.

export const ModelView = z.object({
  name: z.string(),
  description: z.string().optional(),
  tags: z.record(z.string(), z.string()),
  card: ModelCard.optional(),
  protectedAliases: z.array(z.string()),
  approvers: z.array(z.string()).optional(),
  latestVersion: z.number().int().describe('0 until the first version is registered.'),
  aliases: z
    .record(z.string(), z.number().int())
    .optional()
    .describe('Alias → version; in GET /models/{name} only.'),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
});

export const DecisionRecord = z.object({
  decision: z.enum(DECISIONS),
  reviewer: z.string(),
  comment: z.string(),
  actor: z.string().describe('The authenticated caller who recorded the decision.'),
  decidedAt: z.iso.datetime(),
});

export const VersionView = z.object({
  model: z.string(),
  version: z.number().int(),
  status: z.enum(VERSION_STATUSES),
  artifactUri: z.string(),
  artifactSha256: z.string(),
  metrics: z.record(z.string(), z.number()),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  signature: Signature.optional(),
  lineage: Lineage.optional(),
  description: z.string().optional(),
  aliases: z.array(z.string()).describe('Aliases that point at this version now.'),
  approval: DecisionRecord.optional().describe('The Approved or Rejected decision.'),
  archival: DecisionRecord.optional(),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedAt: z.iso.datetime(),
});

export const AliasView = z.object({
  model: z.string(),
  alias: z.string(),
  version: z.number().int(),
  protected: z.boolean(),
  since: z.iso.datetime().describe('When the alias moved to this version.'),
  movedBy: z.string(),
  at: z.iso.datetime().optional().describe('The instant asked about with ?at=, if any.'),
});

export const AuditEntryView = z
  .looseObject({
    id: z.string().describe('ULID; the trail lists newest first.'),
    kind: z.string().describe('model-created, version-registered, approval, alias-moved, deployment, ...'),
    at: z.iso.datetime(),
    actor: z.string(),
    model: z.string(),
    version: z.number().int().optional(),
  })
  .describe('One change, with the fields of its kind (decision, reviewer, comment, alias, from, to, ...).');

export const LineageView = z.object({
  model: z.string(),
  version: z.number().int(),
  nodes: z.array(z.looseObject({ id: z.string(), type: z.string() })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), type: z.string() })),
});
