/**
 * What the registry stores in each item's `data`, and the audit trail every change writes in the same
 * transaction as the change itself.
 */
import * as z from 'zod';
import type { JsonValue, PutOp } from '../shared/ports/metadata-store';
import { json, zodDecoder } from '../shared/stored';
import { historyPk } from './keys';
import {
  type CreateModelInput,
  DECISIONS,
  type Decision,
  type LineageInput,
  type RegisterVersionInput,
  VERSION_STATUSES,
  type VersionStatus,
} from './schemas';

export interface ModelRecord {
  readonly name: string;
  readonly description?: string;
  readonly tags: Record<string, string>;
  readonly card?: CreateModelInput['card'];
  readonly protectedAliases: string[];
  readonly approvers?: string[];
  /** 0 until the first registration; each registration raises it by one under the model's rev. */
  readonly latestVersion: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export interface DecisionRecord {
  readonly decision: Decision;
  readonly reviewer: string;
  readonly comment: string;
  readonly actor: string;
  readonly decidedAt: string;
}

export interface VersionRecord {
  readonly model: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly artifactUri: string;
  readonly artifactSha256: string;
  readonly metrics: Record<string, number>;
  readonly params: Record<string, string | number | boolean>;
  readonly signature?: RegisterVersionInput['signature'];
  readonly lineage?: LineageInput;
  readonly description?: string;
  /** Aliases that point here now: alias moves and archiving both write this item, so they serialize. */
  readonly aliases: string[];
  readonly approval?: DecisionRecord;
  readonly archival?: DecisionRecord;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export interface AliasRecord {
  readonly model: string;
  readonly alias: string;
  readonly version: number;
  readonly since: string;
  readonly movedBy: string;
  /** Id of the newest alias-history entry: the next one must sort after it. */
  readonly historyId: string;
}

/** One alias-history entry: the alias pointed at `version` from `at` until the next entry. */
export interface AliasHistoryRecord {
  readonly alias: string;
  readonly version: number;
  readonly from: number | null;
  readonly at: string;
  readonly actor: string;
}

/** Kinds the registry writes; the deployments capability adds `deployment`. */
export type AuditKind = 'model-created' | 'version-registered' | 'approval' | 'alias-moved' | 'deployment';

export interface AuditEntry {
  readonly id: string;
  readonly kind: AuditKind | (string & {});
  readonly at: string;
  /** The authenticated caller: an IAM principal ARN, or the local actor name. */
  readonly actor: string;
  readonly model: string;
  readonly version?: number;
  readonly [field: string]: JsonValue | undefined;
}

/**
 * The transaction operation that appends an entry to a model's audit trail. Every change puts one of
 * these in the same transaction as the change, so the trail never misses or invents a change.
 * Exported for other capabilities that record changes to a model (deployments: kind `deployment`,
 * with `version` and e.g. `deploymentId`, `endpoint`, `environment`).
 */
export const auditOp = (entry: AuditEntry): PutOp => ({
  kind: 'put',
  pk: historyPk(entry.model),
  sk: entry.id,
  data: json(entry),
  condition: { rev: 0 },
});

// Decoders: one per stored shape above (see lambdas/shared/stored.ts).

const text = z.string();
const strings = z.array(z.string());
const decision = z.looseObject({
  decision: z.enum(DECISIONS),
  reviewer: text,
  comment: text,
  actor: text,
  decidedAt: text,
});

export const decodeModel = zodDecoder<ModelRecord>(
  'model',
  z.looseObject({
    name: text,
    description: text.optional(),
    tags: z.record(z.string(), z.string()),
    card: z.looseObject({}).optional(),
    protectedAliases: strings,
    approvers: strings.optional(),
    latestVersion: z.number().int(),
    createdAt: text,
    createdBy: text,
    updatedAt: text,
  }),
);

export const decodeVersion = zodDecoder<VersionRecord>(
  'model version',
  z.looseObject({
    model: text,
    version: z.number().int(),
    status: z.enum(VERSION_STATUSES),
    artifactUri: text,
    artifactSha256: text,
    metrics: z.record(z.string(), z.number()),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    signature: z.looseObject({}).optional(),
    lineage: z.looseObject({}).optional(),
    description: text.optional(),
    aliases: strings,
    approval: decision.optional(),
    archival: decision.optional(),
    createdAt: text,
    createdBy: text,
    updatedAt: text,
  }),
);

export const decodeAlias = zodDecoder<AliasRecord>(
  'alias',
  z.looseObject({
    model: text,
    alias: text,
    version: z.number().int(),
    since: text,
    movedBy: text,
    historyId: text,
  }),
);

export const decodeAliasHistory = zodDecoder<AliasHistoryRecord>(
  'alias history entry',
  z.looseObject({
    alias: text,
    version: z.number().int(),
    from: z.number().int().nullable(),
    at: text,
    actor: text,
  }),
);

export const decodeAuditEntry = zodDecoder<AuditEntry>(
  'audit entry',
  z.looseObject({
    id: text,
    kind: text,
    at: text,
    actor: text,
    model: text,
    version: z.number().int().optional(),
  }),
);
