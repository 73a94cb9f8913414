/**
 * Instant rollback: one conditional write of the endpoint item, read by the very next request — no
 * control-plane call, no redeploy. Exactly one of concurrent rollbacks wins (no retry on a lost race).
 */
import { deploymentAuditOp, readServableVersion } from '../registry/public';
import { ConditionFailedError } from '../shared/errors';
import type { WriteOp } from '../shared/ports/metadata-store';
import type { DeploymentsDeps } from './deps';
import {
  dropUndefined,
  type EndpointView,
  endpointView,
  loadDeployment,
  loadEndpoint,
  stop,
  variantOf,
  withHistory,
} from './endpoints';
import { EndpointStateError } from './errors';
import { activeDeploymentKey, deploymentKey, endpointKey } from './keys';
import { type EndpointRecord, json, type VariantRecord } from './records';
import { mainProduction } from './routing';

/**
 * Instant rollback: the previous production version back at 100 % in one transaction on the endpoint
 * item (plus, when a deployment is in progress, closing it). The next request reads the endpoint and is
 * served by the old version. The write is conditional on the endpoint's rev read in the same attempt and
 * is NOT retried: a rollback decided on what the caller saw must not step back again from what another
 * rollback left, so a lost race is a 409 ("the endpoint changed; read it and try again"). `fromVersion`
 * (optional) is the version the caller means to replace — during a deployment its new version, else the
 * production version; when the endpoint no longer has it there, 409 and nothing written.
 */
export const rollbackEndpoint = async (
  deps: DeploymentsDeps,
  name: string,
  reason: string | undefined,
  actor: string,
  fromVersion?: number,
): Promise<EndpointView> => {
  const endpoint = await loadEndpoint(deps, name);
  const record = endpoint.data;
  const main = mainProduction(record);
  {
    const nowMs = deps.clock.now().getTime();
    const now = new Date(nowMs).toISOString();
    const why = reason ?? 'rollback requested';
    const ops: WriteOp[] = [];
    let variants: VariantRecord[];
    let previousVersions = record.previousVersions;
    let to: number;
    let from: number;
    let deploymentId: string | undefined;
    if (record.activeDeployment) {
      const deployment = await loadDeployment(deps, name, record.activeDeployment);
      deploymentId = deployment.data.id;
      const kept = record.variants.filter(
        (v) => v.name !== deployment.data.variant && v.role === 'production',
      );
      const old = kept.find((v) => v.version === deployment.data.from) ?? kept[0];
      if (!old)
        throw new EndpointStateError(`Endpoint ${name} has no previous production version to go back to.`);
      variants = [{ ...old, weight: 100 }];
      to = old.version;
      from = deployment.data.version;
      ops.push(
        {
          kind: 'put',
          ...deploymentKey(name, deployment.data.id),
          data: json(
            stop(deployment.data, now, 'ROLLED_BACK', 'rolled back on request', `${why} (by ${actor})`),
          ),
          condition: { rev: deployment.rev },
        },
        { kind: 'delete', ...activeDeploymentKey(name), condition: { exists: true } },
      );
    } else {
      const target = record.previousVersions[record.previousVersions.length - 1];
      if (target === undefined || !main) {
        throw new EndpointStateError(`Endpoint ${name} has no previous production version to roll back to.`);
      }
      const version = await readServableVersion(deps.store, record.model, target);
      if (!version || version.status === 'Archived') {
        throw new EndpointStateError(
          `Version ${target} of model ${record.model} cannot take traffic again: it is ${version ? version.status : 'gone'}.`,
        );
      }
      variants = [variantOf(version, 100, 'production')];
      previousVersions = record.previousVersions.slice(0, -1);
      to = target;
      from = main.version;
    }
    if (fromVersion !== undefined && fromVersion !== from) {
      throw new EndpointStateError(
        `Endpoint ${name} no longer serves version ${fromVersion} (a rollback now would replace version ${from}); read it and try again.`,
      );
    }
    const updated: EndpointRecord = {
      ...record,
      variants,
      previousVersions,
      shadowPercent: undefined,
      activeDeployment: undefined,
      experiment: undefined,
      history: withHistory(record, {
        at: now,
        actor,
        action: 'rollback',
        version: to,
        from,
        reason: why,
        ...(deploymentId ? { deploymentId } : {}),
      }),
      updatedAt: now,
    };
    ops.unshift({
      kind: 'put',
      ...endpointKey(name),
      data: json(dropUndefined(updated)),
      condition: { rev: endpoint.rev },
    });
    ops.push(
      deploymentAuditOp({
        id: deps.newId(nowMs),
        at: now,
        actor,
        model: record.model,
        version: to,
        endpoint: name,
        ...(deploymentId ? { deploymentId } : {}),
        action: 'rollback',
        from,
        reason: why,
        ...(deps.environment ? { environment: deps.environment } : {}),
      }),
    );
    try {
      await deps.store.transact(ops);
    } catch (error) {
      if (error instanceof ConditionFailedError) {
        throw new EndpointStateError(
          `Endpoint ${name} changed while it was being rolled back (another rollback or deployment won); read it and try again.`,
          { cause: error },
        );
      }
      throw error;
    }
    return endpointView(updated);
  }
};
