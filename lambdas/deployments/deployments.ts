/**
 * Deployments: all-at-once, canary and linear (weight steps of the new version, a bake time each,
 * guards evaluated on the new variant after each bake; a failed guard rolls back), and shadow (a share
 * of requests mirrored, answers never returned). Phases move with the platform Clock: `advanceDeployment`
 * is what a driver calls (the local platform ticks it; the cloud path will be a state machine).
 */
import { deploymentAuditOp } from '../registry/public';
import type { WriteOp } from '../shared/ports/metadata-store';
import { abRecordOf, DEFAULT_B_PERCENT, DEFAULT_LOOK_SECONDS } from './ab';
import { type DeploymentsDeps, withOptimisticRetry } from './deps';
import {
  assertProductionReady,
  checkVersion,
  dropUndefined,
  endpointView,
  invalid,
  loadDeployment,
  loadEndpoint,
  resolveVersion,
  variantOf,
  withHistory,
} from './endpoints';
import { EndpointStateError, VersionNotServableError } from './errors';
import { EVALUATED_GUARDS, hasEvaluatedGuards, hasGuards } from './guards';
import { activeDeploymentKey, deploymentKey, endpointKey } from './keys';
import {
  type DeploymentRecord,
  decodeEndpoint,
  type EndpointRecord,
  type Evaluation,
  json,
  type VariantRecord,
} from './records';
import { startRollout } from './rollout';
import { mainProduction, variantName } from './routing';
import type { DeploymentInput, Strategy } from './schemas';
import { closingTransition, commitTransition, variantsAt, weightsOf } from './transitions';

const DEFAULT_BAKE_SECONDS: Readonly<Record<Strategy, number>> = {
  'all-at-once': 0,
  canary: 300,
  linear: 300,
  shadow: 3600,
  ab: DEFAULT_LOOK_SECONDS,
};

/** Traffic percent of the new version per phase; production strategies end at 100. */
export const stepsOf = (input: DeploymentInput): number[] => {
  const withFull = (steps: number[]) => (steps[steps.length - 1] === 100 ? steps : [...steps, 100]);
  switch (input.strategy) {
    case 'all-at-once':
      return [100];
    case 'canary':
      return withFull(input.steps ?? [10]);
    case 'linear':
      return withFull(input.steps ?? [25, 50, 75]);
    case 'ab':
      return [input.steps?.[0] ?? DEFAULT_B_PERCENT];
    default:
      return [input.shadowPercent ?? 100];
  }
};

/**
 * Starts a deployment: checks before any write (400 for a canary without guards or A/B, 409 for a
 * version that may not take the traffic, for a deployment already in progress), then the endpoint's new
 * weights, the deployment, the active-deployment entry and an audit entry in one transaction.
 */
export const startDeployment = async (
  deps: DeploymentsDeps,
  name: string,
  input: DeploymentInput,
  actor: string,
): Promise<{ deploymentId: string }> => {
  const guards = input.guards ?? {};
  if ((input.strategy === 'canary' || input.strategy === 'linear') && !hasGuards(guards)) {
    throw invalid(
      'body.guards',
      'required',
      `a ${input.strategy} deployment needs at least one guard (${EVALUATED_GUARDS.join(', ')})`,
    );
  }
  // alarms and maxPredictionDrift are not evaluated on this path: alone, they would guard nothing.
  if ((input.strategy === 'canary' || input.strategy === 'linear') && !hasEvaluatedGuards(guards)) {
    throw invalid(
      'body.guards',
      'not_evaluated',
      `a ${input.strategy} deployment needs at least one guard evaluated here (${EVALUATED_GUARDS.join(', ')}); alarms and maxPredictionDrift are not evaluated on this platform`,
    );
  }
  return withOptimisticRetry(deps.retry, async () => {
    const endpoint = await loadEndpoint(deps, name);
    const record = endpoint.data;
    const version = await resolveVersion(deps, record.model, input);
    if (input.strategy === 'shadow') {
      if (version.status !== 'Approved' && version.status !== 'PendingApproval') {
        throw new VersionNotServableError(
          `Version ${version.version} of model ${version.model} is ${version.status}; a shadow must be PendingApproval or Approved.`,
          version.status,
        );
      }
    } else assertProductionReady(version);
    if (record.activeDeployment) {
      throw new EndpointStateError(
        `Endpoint ${name} has deployment ${record.activeDeployment} in progress; wait for it or roll back first.`,
      );
    }
    const old = mainProduction(record);
    if (old?.version === version.version) {
      throw new EndpointStateError(
        `Endpoint ${name} already serves version ${version.version} in production.`,
      );
    }
    if (input.strategy === 'ab' && !old) {
      throw new EndpointStateError(
        `Endpoint ${name} has no production version to test version ${version.version} against.`,
      );
    }
    if (input.strategy === 'ab' && deps.rollout) {
      throw new EndpointStateError(
        `Endpoint ${name}: A/B deployments are not run by the deployment state machine yet; use canary, linear, shadow or all-at-once.`,
      );
    }
    if (input.strategy === 'ab' && record.variants.some((v) => v.role === 'shadow')) {
      throw new EndpointStateError(
        `Endpoint ${name} has a shadow variant; an A/B test needs production alone.`,
      );
    }
    const steps = stepsOf(input);
    const bakeSeconds = input.bakeSeconds ?? DEFAULT_BAKE_SECONDS[input.strategy];
    const nowMs = deps.clock.now().getTime();
    const now = new Date(nowMs).toISOString();
    const id = deps.newId(nowMs);
    const fresh = variantOf(version, 0, 'production');
    // In the cloud the state machine's Record step closes even an all-at-once deployment.
    const immediate = input.strategy === 'all-at-once' && bakeSeconds === 0 && !deps.rollout;
    const at = variantsAt(
      { strategy: input.strategy, variant: fresh.name },
      immediate ? undefined : old,
      fresh,
      steps[0]!,
    );
    const deployment: DeploymentRecord = dropUndefined({
      id,
      endpoint: name,
      model: record.model,
      version: version.version,
      variant: fresh.name,
      from: old?.version ?? null,
      strategy: input.strategy,
      steps,
      bakeSeconds,
      shadowPercent: input.strategy === 'shadow' ? steps[0] : undefined,
      guards,
      ab: input.strategy === 'ab' && input.ab && old ? abRecordOf(input.ab, old) : undefined,
      looks: input.strategy === 'ab' ? [] : undefined,
      status: immediate ? 'SUCCEEDED' : 'IN_PROGRESS',
      phases: [
        {
          weights: weightsOf(at.variants, at.shadowPercent),
          startedAt: now,
          ...(immediate ? { endedAt: now } : {}),
        },
      ],
      ...(immediate ? { decision: 'promoted', reason: 'all-at-once' } : {}),
      createdAt: now,
      createdBy: actor,
      updatedAt: now,
    });
    const updated: EndpointRecord = dropUndefined({
      ...record,
      variants: at.variants,
      shadowPercent: at.shadowPercent,
      activeDeployment: immediate ? undefined : id,
      experiment: input.strategy === 'ab' ? id : undefined,
      previousVersions:
        immediate && old ? [...record.previousVersions, old.version].slice(-20) : record.previousVersions,
      history: withHistory(record, {
        at: now,
        actor,
        action: immediate ? 'promoted' : 'deployment-started',
        version: version.version,
        from: old?.version ?? null,
        deploymentId: id,
      }),
      updatedAt: now,
    });
    const ops: WriteOp[] = [
      { kind: 'put', ...endpointKey(name), data: json(updated), condition: { rev: endpoint.rev } },
      { kind: 'put', ...deploymentKey(name, id), data: json(deployment), condition: { rev: 0 } },
      checkVersion(version),
      deploymentAuditOp({
        id: deps.newId(nowMs),
        at: now,
        actor,
        model: record.model,
        version: version.version,
        endpoint: name,
        deploymentId: id,
        action: immediate ? 'promoted' : 'started',
        strategy: input.strategy,
        from: old?.version ?? null,
        ...(deps.environment ? { environment: deps.environment } : {}),
      }),
    ];
    if (!immediate) {
      ops.push({
        kind: 'put',
        ...activeDeploymentKey(name),
        data: { endpoint: name, deploymentId: id },
        condition: { rev: 0 },
      });
    }
    await deps.store.transact(ops);
    return { deploymentId: id, endpoint: updated, deployment, old };
  }).then(async ({ deploymentId, endpoint, deployment, old }) => {
    if (deps.rollout) await startRolloutOrFail(deps, endpoint, deployment, old);
    return { deploymentId };
  });
};

/** Starts the deployment's execution; a start that fails closes the deployment FAILED, then throws. */
const startRolloutOrFail = async (
  deps: DeploymentsDeps,
  endpoint: EndpointRecord,
  deployment: DeploymentRecord,
  old: VariantRecord | undefined,
): Promise<void> => {
  const rollout = deps.rollout;
  if (!rollout) return;
  try {
    await startRollout(rollout, endpoint, deployment, { endpointExists: true, ...(old ? { old } : {}) });
  } catch (error) {
    const endpointItem = await deps.store.get(endpointKey(endpoint.name));
    const stored = await loadDeployment(deps, endpoint.name, deployment.id);
    if (endpointItem && stored.data.status === 'IN_PROGRESS') {
      const nowMs = deps.clock.now().getTime();
      const t = closingTransition(
        decodeEndpoint(endpointItem),
        stored.data,
        'fail',
        `the deployment's execution did not start: ${error instanceof Error ? error.message : String(error)}`,
        new Date(nowMs).toISOString(),
      );
      await commitTransition(deps, endpoint.name, endpointItem.rev, stored.rev, t, nowMs);
    }
    throw error;
  }
};

export const getDeployment = async (deps: DeploymentsDeps, name: string, id: string) => {
  const { variant: _variant, experiment: _experiment, ...view } = (await loadDeployment(deps, name, id)).data;
  return view;
};

export type { Evaluation };
export { endpointView, variantName };
