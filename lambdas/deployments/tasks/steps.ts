/**
 * The deployment state machine's Lambda tasks (statemachines/deployment.asl.json), on the same core the
 * local driver moves phases with: guards evaluated on the recorded per-variant figures of the phase,
 * promotion, rollback and failure written to the deployment record, the endpoint's routing and the
 * registry's audit trail in one transaction, notifications through the notification port. Each task is
 * safe to retry: a step already taken is answered from the record.
 */
import { sendNotification } from '../../platform/notifications';
import { ValidationError } from '../../shared/errors';
import { hasEvidence, NO_TRAFFIC_REASON, readFigures } from '../advance';
import { loadDeployment, loadEndpoint } from '../endpoints';
import { evaluateGuards } from '../guards';
import type { DeploymentRecord } from '../records';
import { closingTransition, commitTransition, type Transition, transitionAfter } from '../transitions';
import { type DeploymentTaskDeps, TransientError } from './deps';

export type StepDecision = 'continue' | 'promote' | 'rollback';

interface TaskInput {
  readonly deploymentId: string;
  readonly executionId?: string;
  readonly endpointName: string;
}

export interface EvaluateStepInput extends TaskInput {
  readonly stepIndex: number;
}

export interface RecordInput {
  readonly deploymentId: string;
  readonly executionId?: string;
  readonly outcome: string;
  /** The execution's whole state: endpointName, and the last evaluation or error. */
  readonly deployment: {
    readonly endpointName: string;
    readonly evaluation?: { readonly decision?: string; readonly reason?: string };
    readonly error?: { readonly Error?: string; readonly Cause?: string };
  };
}

export interface NotifyInput extends TaskInput {
  readonly outcome: string;
}

export interface FailureInput extends TaskInput {
  readonly phase?: string;
  readonly error?: { readonly Error?: string; readonly Cause?: string };
}

const required = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || value === '') {
    throw new ValidationError([{ field, rule: 'required', message: 'must be a non-empty string' }]);
  }
  return value;
};

/** The platform endpoint of the SageMaker endpoint name the state machine carries. */
const platformName = (deps: DeploymentTaskDeps, endpointName: unknown): string => {
  const name = required(endpointName, 'endpointName');
  const prefix = deps.endpointPrefix ?? '';
  return prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name;
};

const closedDecision = (d: DeploymentRecord): StepDecision =>
  d.status === 'SUCCEEDED' ? 'promote' : 'rollback';

const commit = async (
  deps: DeploymentTaskDeps,
  name: string,
  revs: { endpoint: number; deployment: number },
  transition: Transition,
  nowMs: number,
): Promise<void> => {
  const committed = await commitTransition(
    deps.deployments,
    name,
    revs.endpoint,
    revs.deployment,
    transition,
    nowMs,
  );
  if (!committed) throw new TransientError(`deployment ${transition.next.id} of ${name} changed meanwhile`);
};

/**
 * Evaluate: the guards of step `stepIndex` on the new variant's figures since the phase started (the
 * state machine's Bake waited its bake time). Failed → rolled back at once (routing, record, audit) and
 * `rollback`; passed with steps left → the next step's weights and `continue`; passed at the last
 * step → the phase recorded and `promote` (Record promotes).
 */
export const evaluateStep = async (deps: DeploymentTaskDeps, input: EvaluateStepInput) => {
  const name = platformName(deps, input.endpointName);
  const id = required(input.deploymentId, 'deploymentId');
  const core = deps.deployments;
  await core.recorder.flush();
  const endpoint = await loadEndpoint(core, name);
  const deployment = await loadDeployment(core, name, id);
  const d = deployment.data;
  if (d.status !== 'IN_PROGRESS' || endpoint.data.activeDeployment !== id) {
    return { decision: closedDecision(d), reason: d.reason ?? `deployment ${id} is ${d.status}` };
  }
  const phase = d.phases[d.phases.length - 1]!;
  // A retry after the step was taken: the record already holds its outcome.
  if (Number(input.stepIndex) < d.phases.length - 1) return { decision: 'continue', reason: 'guards held' };
  if (phase.evaluation) return { decision: 'promote', reason: 'guards held' };
  const nowMs = core.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const startedMs = Date.parse(phase.startedAt);
  const evaluation = evaluateGuards(
    d.guards,
    d.variant,
    await readFigures(core, name, startedMs, nowMs),
    now,
  );
  const ended = { ...phase, endedAt: now, evaluation };
  // Guards that passed on no evidence prove nothing. The local driver keeps such a phase baking; the
  // state machine has no loop for that, so here the new version is rolled back (never promoted blind).
  const transition =
    evaluation.passed && !hasEvidence(d, evaluation)
      ? closingTransition(endpoint.data, d, 'rollback', NO_TRAFFIC_REASON, now, ended)
      : transitionAfter(endpoint.data, d, ended, evaluation, now, { holdLast: true });
  await commit(deps, name, { endpoint: endpoint.rev, deployment: deployment.rev }, transition, nowMs);
  const decision: StepDecision =
    transition.outcome === 'rolled-back'
      ? 'rollback'
      : transition.outcome === 'evaluated'
        ? 'promote'
        : 'continue';
  return {
    decision,
    reason: decision === 'rollback' ? (transition.next.reason ?? 'rolled back') : 'guards held',
  };
};

/** Record: the deployment closed as the execution ended (`promoted` or `rolledBack`), audited. */
export const recordDeployment = async (deps: DeploymentTaskDeps, input: RecordInput) => {
  const name = platformName(deps, input.deployment?.endpointName);
  const id = required(input.deploymentId, 'deploymentId');
  if (input.outcome !== 'promoted' && input.outcome !== 'rolledBack') {
    throw new ValidationError([
      { field: 'outcome', rule: 'enum', message: 'must be promoted or rolledBack' },
    ]);
  }
  const core = deps.deployments;
  const endpoint = await loadEndpoint(core, name);
  const deployment = await loadDeployment(core, name, id);
  const d = deployment.data;
  if (d.status !== 'IN_PROGRESS') return { recorded: false, status: d.status };
  const nowMs = core.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const error = input.deployment.error;
  const reason =
    input.outcome === 'promoted'
      ? d.strategy === 'shadow'
        ? 'the shadow passed its guards; production unchanged'
        : 'every phase passed its guards'
      : (input.deployment.evaluation?.reason ??
        (error ? `${error.Error ?? 'States.TaskFailed'}: ${error.Cause ?? ''}` : 'rolled back'));
  const transition = closingTransition(
    endpoint.data,
    d,
    input.outcome === 'promoted' ? 'promote' : 'rollback',
    reason,
    now,
  );
  await commit(deps, name, { endpoint: endpoint.rev, deployment: deployment.rev }, transition, nowMs);
  return { recorded: true, status: transition.next.status };
};

/** Notify: the deployment's end as recorded, through the notification port. */
export const notifyDeployment = async (deps: DeploymentTaskDeps, input: NotifyInput) => {
  const name = platformName(deps, input.endpointName);
  const id = required(input.deploymentId, 'deploymentId');
  const d = (await loadDeployment(deps.deployments, name, id)).data;
  const outcome =
    d.status === 'SUCCEEDED' ? 'succeeded' : d.status === 'IN_PROGRESS' ? 'in-progress' : 'rolled-back';
  await sendNotification(deps.notifications, {
    type: `deployments.deployment.${outcome}`,
    subject: `Deployment of ${d.model} v${d.version} on endpoint ${name}: ${d.decision ?? d.status}`,
    message: `Deployment ${id} (${d.strategy}) of model ${d.model} version ${d.version} on endpoint ${name} ended ${d.status}: ${d.reason ?? ''}`,
    attributes: { model: d.model, endpoint: name, deploymentId: id, outcome },
    detail: {
      deploymentId: id,
      endpoint: name,
      model: d.model,
      version: d.version,
      status: d.status,
      reason: d.reason ?? null,
    },
  });
  return { notified: true, status: d.status };
};

/**
 * RecordFailure: the rollout itself failed (a SageMaker call, the endpoint's config): routing back to
 * the previous production, the deployment FAILED with the error and its cause, audited and notified.
 */
export const recordDeploymentFailure = async (deps: DeploymentTaskDeps, input: FailureInput) => {
  const name = platformName(deps, input.endpointName);
  const id = required(input.deploymentId, 'deploymentId');
  const error = input.error?.Error ?? 'States.TaskFailed';
  const cause = input.error?.Cause ?? '';
  const core = deps.deployments;
  const endpoint = await loadEndpoint(core, name);
  const deployment = await loadDeployment(core, name, id);
  const d = deployment.data;
  if (d.status !== 'IN_PROGRESS') return { error, cause, status: d.status };
  const nowMs = core.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const reason = `${error} in phase ${input.phase ?? 'unknown'}: ${cause}`.slice(0, 2000);
  const transition = closingTransition(endpoint.data, d, 'fail', reason, now);
  await commit(deps, name, { endpoint: endpoint.rev, deployment: deployment.rev }, transition, nowMs);
  await sendNotification(deps.notifications, {
    type: 'deployments.deployment.failed',
    subject: `Deployment of ${d.model} v${d.version} on endpoint ${name} failed: ${error}`,
    message: `Deployment ${id} of model ${d.model} version ${d.version} on endpoint ${name} failed with ${reason}`,
    attributes: { model: d.model, endpoint: name, deploymentId: id, outcome: 'failed', error },
    detail: { deploymentId: id, endpoint: name, model: d.model, version: d.version, error, cause },
  });
  return { error, cause, status: transition.next.status };
};
