/**
 * Request and response shapes of the feature store routes (definitions + online side). Records are
 * checked by the core, record by record, so that one bad record is quarantined instead of failing the
 * request; everything else is checked here, before any route runs.
 */
import * as z from 'zod';
import { FeatureGroupName, FeatureSpec } from './definitions/definitions';

export const MAX_RECORDS_PER_REQUEST = 10_000;
export const MAX_ONLINE_ENTITIES = 1_000;
export const MAX_ONLINE_FEATURES = 1_000;

const Version = z.number().int().min(1).max(9_999_999_999);

export const GroupParams = z.strictObject({ name: FeatureGroupName });
export const ServiceParams = z.strictObject({ name: FeatureGroupName });

export const IngestBody = z.strictObject({
  records: z
    .array(z.unknown())
    .min(1)
    .max(MAX_RECORDS_PER_REQUEST)
    .describe('Feature records: entity keys, the event-time field (ISO-8601 with offset), features.'),
  version: Version.optional().describe('The group version the records follow; the latest when absent.'),
});

export const OnlineBody = z
  .strictObject({
    features: z
      .array(z.string().max(200))
      .min(1)
      .max(MAX_ONLINE_FEATURES)
      .optional()
      .describe('`group:feature` (latest version) or `group@2:feature` (pinned).'),
    featureService: z.string().max(80).optional().describe('`name` (latest version) or `name@3`.'),
    entities: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .max(MAX_ONLINE_ENTITIES)
      .describe('Entity key values (strings or integers), answered in this order.'),
  })
  .refine((body) => (body.features === undefined) !== (body.featureService === undefined), {
    message: 'give either features or featureService',
    path: ['features'],
  });

export const ServiceBody = z.strictObject({
  name: FeatureGroupName,
  features: z.array(z.string().max(200)).min(1).max(MAX_ONLINE_FEATURES),
  description: z.string().max(4000).optional(),
  usedBy: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a model name'))
    .max(100)
    .optional()
    .describe('Models that use this service; added to the service, not versioned.'),
});

// Response shapes (documentation: the OpenAPI document reads them).

export const GroupVersionView = z.looseObject({
  name: z.string(),
  version: z.number().int(),
  description: z.string(),
  owner: z.string(),
  entityKeys: z.array(z.string()),
  eventTimeField: z.string(),
  features: z.array(FeatureSpec),
  ttlSeconds: z.number().int().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  storageVersion: z
    .number()
    .int()
    .describe('The version whose online rows this version shares (additive versions share).'),
  rowLayout: z
    .array(z.string())
    .optional()
    .describe(
      "The order of values in the storage's online rows: each feature keeps its place across versions.",
    ),
  breaking: z.boolean(),
  changes: z.array(z.string()),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
});

const QualityView = z.object({
  rowCount: z.number().int(),
  rejectedCount: z.number().int(),
  lastEventTime: z.string().nullable(),
  distinctError: z.number().describe('Relative standard error of the distinct estimates (HyperLogLog).'),
  features: z.record(
    z.string(),
    z.object({
      nullCount: z.number().int(),
      nullRate: z.number().nullable(),
      min: z.number().optional(),
      max: z.number().optional(),
      mean: z.number().optional(),
      distinct: z.number().int(),
    }),
  ),
});

export const GroupView = z.object({
  name: z.string(),
  latestVersion: z.number().int(),
  latest: GroupVersionView,
  versions: z.array(GroupVersionView),
  freshness: z.object({ lastEventTime: z.string().nullable() }),
  statistics: z.record(z.string(), QualityView).describe('Per version number.'),
  usedBy: z.object({ featureServices: z.array(z.string()), models: z.array(z.string()) }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const IngestView = z.object({
  group: z.string(),
  version: z.number().int(),
  accepted: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), field: z.string(), reason: z.string() })),
  onlineWritten: z.number().int(),
});

export const QuarantineView = z.object({
  id: z.string(),
  group: z.string(),
  version: z.number().int(),
  index: z.number().int(),
  record: z.unknown(),
  truncated: z.boolean(),
  issues: z.array(z.object({ field: z.string(), reason: z.string() })),
  receivedAt: z.iso.datetime(),
  actor: z.string(),
});

const Reading = z.object({
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  status: z.enum(['PRESENT', 'MISSING', 'EXPIRED']),
  eventTime: z.string().nullable(),
});

export const OnlineView = z.object({
  results: z.array(
    z.object({ entity: z.record(z.string(), z.unknown()), features: z.record(z.string(), Reading) }),
  ),
});

export const ServiceView = z.object({
  name: z.string(),
  version: z.number().int(),
  description: z.string().optional(),
  features: z.array(z.string()),
  resolved: z.array(z.string()).describe('group@version:feature, pinned when the version was made.'),
  usedBy: z.array(z.string()),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
});

export const ServiceDetailView = z.object({
  name: z.string(),
  latestVersion: z.number().int(),
  usedBy: z.array(z.string()),
  versions: z.array(ServiceView),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** Most entity rows one POST /training-sets may carry inline; larger sets name an object (`entitiesUri`). */
export const MAX_INLINE_ENTITY_ROWS = 100_000;

export const TrainingSetBody = z
  .strictObject({
    features: z.array(z.string().max(200)).min(1).max(MAX_ONLINE_FEATURES).optional(),
    featureService: z.string().max(80).optional().describe('`name` (latest version) or `name@3`.'),
    entities: z
      .array(z.record(z.string(), z.unknown()))
      .min(1)
      .max(MAX_INLINE_ENTITY_ROWS)
      .optional()
      .describe(
        'Entity rows: the entity keys, `eventTime` (ISO-8601 with zone), labels and any other column.',
      ),
    entitiesUri: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe('An object in the platform store (.jsonl/.ndjson or .csv) holding the entity rows.'),
  })
  .refine((body) => (body.features === undefined) !== (body.featureService === undefined), {
    message: 'give either features or featureService',
    path: ['features'],
  })
  .refine((body) => (body.entities === undefined) !== (body.entitiesUri === undefined), {
    message: 'give either entities or entitiesUri',
    path: ['entities'],
  });

export const TrainingSetParams = z.strictObject({
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID'),
});

export const TrainingSetView = z.object({
  id: z.string(),
  sha256: z
    .string()
    .describe('SHA-256 of the rows as GET .../rows streams them; the same request gives the same hash.'),
  rowCount: z.number().int(),
  schema: z.array(z.object({ name: z.string(), type: z.string() })),
  uri: z.string().describe('The Parquet file of the rows.'),
  featureGroups: z.array(z.object({ name: z.string(), version: z.number().int() })),
  features: z.array(z.string()),
  createdAt: z.iso.datetime(),
});
