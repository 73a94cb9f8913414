import { publishAfterCommit } from '../shared/events/publish-after-commit';
import { json } from '../shared/stored';
import type { RegistryDeps } from './deps';
import { registryEvent, withOptimisticRetry } from './deps';
import { AliasInUseError, ModelNotFoundError, ModelVersionNotFoundError, VersionStatusError } from './errors';
import { modelKey, statusIndexKey, versionKey } from './keys';
import { assertApprover } from './models';
import { auditOp, type DecisionRecord, decodeModel, decodeVersion, type VersionRecord } from './records';
import type { Decision, DecisionInput, VersionStatus } from './schemas';

/** The status each decision requires the version to have: the whole approval workflow. */
const REQUIRED_STATUS: Readonly<Record<Decision, VersionStatus>> = {
  Approved: 'PendingApproval',
  Rejected: 'PendingApproval',
  Archived: 'Approved',
};

const EVENT_OF: Readonly<Record<Decision, string>> = {
  Approved: 'ModelVersionApproved',
  Rejected: 'ModelVersionRejected',
  Archived: 'ModelVersionArchived',
};

/**
 * Records a decision on a version: PendingApproval → Approved | Rejected, Approved → Archived. The
 * version, its status-index entry (moved from the old status to the new) and the audit entry change in
 * one transaction, conditional on the version's rev. Archiving is refused while an alias points at the
 * version; alias moves write the version item too, so the two cannot race past each other.
 */
export const decideVersion = async (
  deps: RegistryDeps,
  name: string,
  version: number,
  input: DecisionInput,
  actor: string,
): Promise<VersionRecord> => {
  const { decision } = input;
  const { record, from } = await withOptimisticRetry(deps.retry, async () => {
    const [modelItem, versionItem] = await deps.store.batchGet([modelKey(name), versionKey(name, version)]);
    if (!modelItem) throw new ModelNotFoundError(name);
    const model = decodeModel(modelItem);
    assertApprover(model, actor, `decide on versions of model ${name}`);
    if (!versionItem) throw new ModelVersionNotFoundError(name, version);
    const current = decodeVersion.stored(versionItem);
    const status = current.data.status;
    if (status !== REQUIRED_STATUS[decision]) {
      throw new VersionStatusError(
        `Version ${version} of model ${name} is ${status}; only a version that is ${REQUIRED_STATUS[decision]} can be ${decision}.`,
        status,
      );
    }
    if (decision === 'Archived' && current.data.aliases.length > 0) {
      throw new AliasInUseError(name, version, current.data.aliases);
    }
    const now = deps.clock.now().toISOString();
    const made: DecisionRecord = { ...input, actor, decidedAt: now };
    const updated: VersionRecord = {
      ...current.data,
      status: decision,
      ...(decision === 'Archived' ? { archival: made } : { approval: made }),
      updatedAt: now,
    };
    await deps.store.transact([
      { kind: 'put', ...versionKey(name, version), data: json(updated), condition: { rev: current.rev } },
      { kind: 'delete', ...statusIndexKey(name, status, version), condition: { exists: true } },
      { kind: 'put', ...statusIndexKey(name, decision, version), data: { version }, condition: { rev: 0 } },
      auditOp({
        id: deps.newId(),
        kind: 'approval',
        at: now,
        actor,
        model: name,
        version,
        decision,
        from: status,
        to: decision,
        reviewer: input.reviewer,
        comment: input.comment,
      }),
    ]);
    return { record: updated, from: status };
  });
  await publishAfterCommit(deps, [
    registryEvent(
      EVENT_OF[decision],
      {
        model: name,
        version,
        decision,
        previousStatus: from,
        reviewer: input.reviewer,
        comment: input.comment,
        actor,
        artifactUri: record.artifactUri,
        artifactSha256: record.artifactSha256,
      },
      record.updatedAt,
    ),
  ]);
  return record;
};
