/**
 * One immutable version of a feature group, as stored and as every part of the feature store reads it:
 * the offline sinks and training-set engines take it, so it is part of their ports. The zod schemas of
 * lambdas/features/definitions/definitions.ts validate definitions into this shape.
 */

export type FeatureType = 'float' | 'int' | 'string' | 'bool';

export interface FeatureSpec {
  readonly name: string;
  readonly type: FeatureType;
  readonly nullable: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly allowed?: readonly (string | number | boolean)[];
  readonly description?: string;
}

export interface FeatureGroupVersion {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly owner: string;
  readonly entityKeys: readonly string[];
  readonly eventTimeField: string;
  readonly features: readonly FeatureSpec[];
  readonly ttlSeconds?: number;
  readonly tags?: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly createdBy: string;
}
