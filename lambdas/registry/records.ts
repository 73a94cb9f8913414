/**
 * What the registry stores in each item's `data`, and the audit trail every change writes in the same
 * transaction as the change itself.
 */
import type { Item, JsonObject, JsonValue, Page, PutOp } from '../shared/ports/metadata-store';
import { historyPk } from './keys';
import type {
  CreateModelInput,
  Decision,
  LineageInput,
  RegisterVersionInput,
  VersionStatus,
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

/** Zod output and the records above hold JSON only; this states it where the store wants JsonObject. */
export const json = (record: object): JsonObject => record as JsonObject;

/** An item's record with the revision that conditional writes on it must name. */
export interface Stored<T> {
  readonly rev: number;
  readonly data: T;
}

export const stored = <T>(item: Item): Stored<T> => ({ rev: item.rev, data: item.data as unknown as T });

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

/** Maps a page of items to a page of their data, keeping the cursor as the API's nextToken. */
export const dataPage = <T>(page: Page<{ data: JsonObject }>): { items: T[]; nextToken?: string } => ({
  items: page.items.map((item) => item.data as unknown as T),
  ...(page.cursor ? { nextToken: page.cursor } : {}),
});
