/**
 * The model artifact: one canonical JSON document (the canonicalJson of Idempotency-Key fingerprints:
 * keys sorted at every level, no whitespace, numbers as ECMAScript prints them), so that the same
 * training gives the same bytes and the same SHA-256 on every machine. It holds what scoring needs
 * besides the booster: objective, hyperparameters and, when the trainer was given it, the feature
 * encoding and label.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { ValidationError } from '../../shared/errors';
import { canonicalJson } from '../../shared/http/idempotency';
import { Hyperparameters, Objective } from './hyperparameters';

export const ARTIFACT_FORMAT = 'mlops-xgboost/1';

const FeatureEncodingSchema = z.object({
  name: z.string(),
  type: z.enum(['string', 'int', 'float', 'bool']),
  encoding: z.object({ kind: z.literal('ordinal'), categories: z.array(z.string()) }).optional(),
});

export const ModelArtifact = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  objective: Objective,
  numClass: z.int().min(2).optional(),
  hyperparameters: Hyperparameters,
  /** Number of feature columns the booster takes, in order. */
  columns: z.int().min(1),
  trainingRows: z.int().min(1),
  features: z.array(FeatureEncodingSchema).optional(),
  label: z.string().optional(),
  booster: z.object({
    /** The XGBoost binary model format (as ml-xgboost saves and loads it), base64. */
    format: z.literal('xgboost-binary'),
    library: z.string(),
    model: z.base64(),
  }),
});
export type ModelArtifact = z.infer<typeof ModelArtifact>;

/** The artifact's bytes (UTF-8 canonical JSON) and their SHA-256. */
export const encodeArtifact = (document: ModelArtifact): { artifact: Uint8Array; sha256: string } => {
  const artifact = new TextEncoder().encode(canonicalJson(document));
  return { artifact, sha256: createHash('sha256').update(artifact).digest('hex') };
};

/** Reads an artifact back; anything but a well-formed mlops-xgboost/1 document is a ValidationError. */
export const decodeArtifact = (artifact: Uint8Array): ModelArtifact => {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(artifact));
  } catch {
    json = undefined;
  }
  const parsed = ModelArtifact.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.slice(0, 5).map((issue) => ({
        field: ['artifact', ...issue.path.map(String)].join('.'),
        rule: issue.code,
        message: json === undefined ? `is not JSON: expected a ${ARTIFACT_FORMAT} document` : issue.message,
      })),
    );
  }
  return parsed.data;
};
