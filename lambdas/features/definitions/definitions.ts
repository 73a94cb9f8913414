import * as z from 'zod';
import type {
  FeatureSpec as StoredFeatureSpec,
  FeatureType as StoredFeatureType,
} from '../../shared/ports/feature-group-version';

/**
 * The schema of a feature group definition; what it validates into is the stored shape of
 * shared/ports/feature-group-version.ts (`satisfies` keeps the two in step). Versioning rules live in
 * the definitions module.
 */

export const FeatureType = z.enum(['float', 'int', 'string', 'bool']) satisfies z.ZodType<StoredFeatureType>;

const Identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a letter or _ followed by up to 63 letters, digits or _');

export const FeatureGroupName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower-case letters, digits or _, starting with a letter');

export const FeatureSpec = z.strictObject({
  name: Identifier,
  type: FeatureType,
  nullable: z.boolean().default(true),
  min: z.number().optional(),
  max: z.number().optional(),
  allowed: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .max(1000)
    .optional(),
  description: z.string().max(4000).optional(),
}) satisfies z.ZodType<StoredFeatureSpec>;

export const FeatureGroupBody = z.strictObject({
  name: FeatureGroupName,
  description: z.string().max(4000),
  owner: z.string().min(1).max(256),
  entityKeys: z.array(Identifier).min(1).max(5),
  eventTimeField: Identifier,
  features: z.array(FeatureSpec).min(1).max(500),
  /** Values older than this at read time are EXPIRED, never PRESENT. Absent: never expire. */
  ttlSeconds: z
    .number()
    .int()
    .positive()
    .max(10 * 365 * 24 * 3600)
    .optional(),
  tags: z.record(z.string(), z.string().max(256)).optional(),
  /** Allows a breaking change (type change, removal, key change) as a new version. */
  breaking: z.boolean().optional(),
});
export type FeatureGroupBody = z.output<typeof FeatureGroupBody>;

/** Column name of a feature in training sets: `group__feature`. */
export const trainingColumnOf = (group: string, feature: string): string => `${group}__${feature}`;
