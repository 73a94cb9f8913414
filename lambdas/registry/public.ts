/**
 * What other capabilities may ask the registry, on the shared metadata store, without knowing where it
 * keeps its items (keys.ts is the registry's own).
 */
import type { MetadataStore, PutOp } from '../shared/ports/metadata-store';
import { aliasKey, modelKey, versionKey } from './keys';
import { auditOp, decodeAlias, decodeVersion } from './records';
import type { VersionStatus } from './schemas';

type Reads = Pick<MetadataStore, 'get'>;

export const modelExists = async (store: Reads, name: string): Promise<boolean> =>
  (await store.get(modelKey(name))) !== undefined;

export const versionExists = async (store: Reads, name: string, version: number): Promise<boolean> =>
  (await store.get(versionKey(name, version))) !== undefined;

/** The version an alias of a model points at; undefined when the model has no such alias. */
export const resolveAlias = async (
  store: Reads,
  name: string,
  alias: string,
): Promise<number | undefined> => {
  const item = await store.get(aliasKey(name, alias));
  return item === undefined ? undefined : decodeAlias(item).version;
};

/** What serving needs of a version: its status (only Approved takes production traffic) and artifact. */
export interface ServableVersion {
  readonly model: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly artifactUri: string;
  readonly artifactSha256: string;
  /** The version item's revision: a write that relies on the status read checks it is unchanged. */
  readonly rev: number;
}

/** A version as serving sees it; undefined when the model has no such version. */
export const readServableVersion = async (
  store: Reads,
  name: string,
  version: number,
): Promise<ServableVersion | undefined> => {
  const item = await store.get(versionKey(name, version));
  if (item === undefined) return undefined;
  const record = decodeVersion(item);
  return {
    model: record.model,
    version: record.version,
    status: record.status,
    artifactUri: record.artifactUri,
    artifactSha256: record.artifactSha256,
    rev: item.rev,
  };
};

/**
 * Asserts, inside another capability's transaction, that a version's item is still at the revision
 * read (e.g. still Approved when a deployment sends it production traffic).
 */
export const versionUnchangedOp = (name: string, version: number, rev: number) =>
  ({ kind: 'check', ...versionKey(name, version), condition: { rev } }) as const;

/** What a deployment or rollback records in a model's audit trail (kind `deployment`). */
export interface DeploymentAudit {
  readonly id: string;
  readonly at: string;
  readonly actor: string;
  readonly model: string;
  readonly version: number;
  readonly endpoint: string;
  readonly deploymentId?: string;
  /** started, promoted, rolled-back (a guard failed) or rollback (on request). */
  readonly action: 'started' | 'promoted' | 'rolled-back' | 'rollback';
  readonly strategy?: string;
  /** The production version before this change, when there was one. */
  readonly from?: number | null;
  readonly reason?: string;
  readonly environment?: string;
}

/**
 * The transaction operation that appends a `deployment` entry to a model's audit trail, for the
 * deployments capability to commit with its own change.
 */
export const deploymentAuditOp = (entry: DeploymentAudit): PutOp => {
  const fields = Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
  return auditOp({ ...fields, kind: 'deployment' } as Parameters<typeof auditOp>[0]);
};
