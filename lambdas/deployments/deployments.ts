/**
 * Deployments: all-at-once, canary and linear (weight steps of the new version, a bake time each,
 * guards evaluated on the new variant after each bake; a failed guard rolls back), and shadow (a share
 * of requests mirrored, answers never returned). Phases move with the platform Clock: `advanceDeployment`
 * is what a driver calls (the local platform ticks it; the cloud path will be a state machine).
 */
import { deploymentAuditOp } from '../registry/public';
import { ConditionFailedError } from '../shared/errors';
import type { Item, WriteOp } from '../shared/ports/metadata-store';
import { abRecordOf, advanceAb, DEFAULT_B_PERCENT, DEFAULT_LOOK_SECONDS } from './ab';
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
import {
  EVALUATED_GUARDS,
  evaluateGuards,
  failureReason,
  hasEvaluatedGuards,
  hasGuards,
  sawEvidence,
} from './guards';
import {
  ACTIVE_DEPLOYMENTS_PK,
  activeDeploymentKey,
  deploymentKey,
  endpointKey,
  figuresPk,
  figuresRange,
} from './keys';
import {
  type DeploymentRecord,
  decodeEndpoint,
  decodeFigures,
  type EndpointRecord,
  type Evaluation,
  type FiguresRecord,
  json,
  type Phase,
  type VariantRecord,
} from './records';
import { startRollout } from './rollout';
import { mainProduction, variantName } from './routing';
import type { DeploymentInput, Strategy } from './schemas';

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

/** Endpoint variants at one phase: the old production at 100 - step, the new one at step (or as shadow). */
const variantsAt = (
  deployment: Pick<DeploymentRecord, 'strategy' | 'variant'>,
  old: VariantRecord | undefined,
  fresh: VariantRecord,
  step: number,
): { variants: VariantRecord[]; shadowPercent?: number } => {
  if (deployment.strategy === 'shadow') {
    return {
      variants: [...(old ? [{ ...old, weight: 100 }] : []), { ...fresh, weight: 0, role: 'shadow' }],
      shadowPercent: step,
    };
  }
  return {
    variants: [
      ...(old ? [{ ...old, weight: 100 - step }] : []),
      { ...fresh, weight: step, role: 'production' },
    ],
  };
};

const weightsOf = (variants: readonly VariantRecord[], shadowPercent?: number): Record<string, number> =>
  Object.fromEntries(
    variants.flatMap((v) =>
      v.role === 'shadow'
        ? [[`${v.name} (shadow)`, shadowPercent ?? 0]]
        : v.weight > 0
          ? [[v.name, v.weight]]
          : [],
    ),
  );

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

/** Figures flushed for an endpoint between two instants. */
export const readFigures = async (deps: DeploymentsDeps, endpoint: string, fromMs: number, toMs: number) => {
  const figures: FiguresRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(figuresPk(endpoint), {
      range: figuresRange(fromMs, toMs),
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    figures.push(...page.items.map((item: Item) => decodeFigures(item)));
    cursor = page.cursor;
  } while (cursor);
  return figures;
};

export type AdvanceOutcome =
  | 'waiting'
  | 'next-phase'
  | 'looked'
  | 'promoted'
  | 'rolled-back'
  | 'stopped'
  | 'ended'
  | 'gone';

/**
 * Moves one endpoint's deployment on if its phase's bake has ended by the Clock: guards evaluated on
 * the new variant's figures of the phase; pass → the next step's weights (or promotion at the end);
 * fail → the previous production at 100 %, the deployment ROLLED_BACK with the guard and its figures.
 * One transaction, conditional on the endpoint's and the deployment's revs; a lost race waits for the
 * next tick (a rollback or deletion may have closed the deployment meanwhile).
 */
export const advanceDeployment = async (deps: DeploymentsDeps, name: string): Promise<AdvanceOutcome> => {
  const endpointItem = await deps.store.get(endpointKey(name));
  const record = endpointItem ? decodeEndpoint(endpointItem) : undefined;
  const active = record?.activeDeployment;
  if (!endpointItem || !record || !active) {
    await deps.store.delete({ ...activeDeploymentKey(name) }).catch(() => undefined);
    return 'gone';
  }
  const deployment = await loadDeployment(deps, name, active);
  const d = deployment.data;
  if (d.strategy === 'ab') return advanceAb(deps, { data: record, rev: endpointItem.rev }, deployment);
  const phase = d.phases[d.phases.length - 1]!;
  const nowMs = deps.clock.now().getTime();
  const startedMs = Date.parse(phase.startedAt);
  if (nowMs < startedMs + d.bakeSeconds * 1000) return 'waiting';
  const now = new Date(nowMs).toISOString();
  const evaluation = evaluateGuards(
    d.guards,
    d.variant,
    await readFigures(deps, name, startedMs, nowMs),
    now,
  );
  const ended: Phase = { ...phase, endedAt: now, evaluation };
  let transition = transitionAfter(record, d, ended, evaluation, now);
  if (evaluation.passed && !hasEvidence(d, evaluation)) {
    // Guards that passed on no evidence prove nothing: the phase keeps baking (its window grows from
    // its start) until the new version has figures, at most NO_EVIDENCE_EXTENSIONS more bakes; then
    // the deployment ends FAILED, the previous production back at 100 %.
    if (nowMs < startedMs + noEvidenceLimitMs(d.bakeSeconds)) return 'waiting';
    transition = closingTransition(record, d, 'fail', NO_TRAFFIC_REASON, now, ended);
  }
  return (await commitTransition(deps, name, endpointItem.rev, deployment.rev, transition, nowMs))
    ? (transition.outcome as AdvanceOutcome)
    : 'waiting';
};

/** Bakes a phase is extended by while its guards see no evidence for the new version. */
export const NO_EVIDENCE_EXTENSIONS = 3;
export const NO_TRAFFIC_REASON = 'no traffic reached the new version';

/** How long after its start a phase without evidence may bake: its bake, then the extensions. */
export const noEvidenceLimitMs = (bakeSeconds: number): number =>
  (bakeSeconds + NO_EVIDENCE_EXTENSIONS * Math.max(bakeSeconds, 60)) * 1000;

/**
 * Whether a phase's evaluation saw the new version at work: a figure for one of the evaluated guards
 * (a shadow without guards: a mirrored request). A deployment without evaluated guards needs none.
 */
export const hasEvidence = (d: DeploymentRecord, evaluation: Evaluation): boolean => {
  if (hasEvaluatedGuards(d.guards)) return sawEvidence(d.guards, evaluation);
  return d.strategy === 'shadow' ? evaluation.requests > 0 : true;
};

/** What one evaluated phase or one decision changes: the endpoint, the deployment, an audit entry. */
export interface Transition {
  readonly outcome: AdvanceOutcome | 'evaluated';
  /** Absent when the endpoint stays as it is (a phase evaluated, the decision left to a later step). */
  readonly updated?: EndpointRecord;
  readonly next: DeploymentRecord;
  readonly audit?: { action: 'promoted' | 'rolled-back'; version: number; reason: string };
}

/**
 * The transition after an evaluated phase: failed guards (or the new variant gone) → rolled back;
 * passed with steps left → the next step's weights; passed at the last step → promoted (a shadow ends).
 * With `holdLast`, the last passed phase is only recorded: the decision is the caller's next step.
 */
export const transitionAfter = (
  record: EndpointRecord,
  d: DeploymentRecord,
  ended: Phase,
  evaluation: Evaluation,
  now: string,
  options: { holdLast?: boolean } = {},
): Transition => {
  const stepIndex = d.phases.length;
  const fresh = record.variants.find((v) => v.name === d.variant);
  const old = record.variants.find((v) => v.name !== d.variant && v.role === 'production');
  if (!evaluation.passed || !fresh) {
    const reason = fresh ? failureReason(evaluation) : `variant ${d.variant} is no longer on the endpoint`;
    return closingTransition(record, d, 'rollback', reason, now, ended);
  }
  if (stepIndex < d.steps.length) {
    const at = variantsAt(d, old, fresh, d.steps[stepIndex]!);
    return {
      outcome: 'next-phase',
      updated: dropUndefined({
        ...record,
        variants: at.variants,
        shadowPercent: at.shadowPercent,
        updatedAt: now,
      }),
      next: {
        ...d,
        phases: [
          ...d.phases.slice(0, -1),
          ended,
          { weights: weightsOf(at.variants, at.shadowPercent), startedAt: now },
        ],
        updatedAt: now,
      },
    };
  }
  if (options.holdLast) {
    return {
      outcome: 'evaluated',
      next: { ...d, phases: [...d.phases.slice(0, -1), ended], updatedAt: now },
    };
  }
  const reason =
    d.strategy === 'shadow'
      ? `the shadow passed its guards on ${evaluation.requests} mirrored requests; production unchanged`
      : 'every phase passed its guards';
  return closingTransition(record, d, 'promote', reason, now, ended);
};

/**
 * The transition that closes a deployment in progress: `promote` (the new version at 100 %, or a
 * shadow ended with production unchanged), `rollback` (a guard failed: the previous production back at
 * 100 %, ROLLED_BACK) or `fail` (the rollout itself failed: the same routing back, FAILED). The phase
 * in progress ends now unless `ended` says how it ended.
 */
export const closingTransition = (
  record: EndpointRecord,
  d: DeploymentRecord,
  kind: 'promote' | 'rollback' | 'fail',
  reason: string,
  now: string,
  ended?: Phase,
): Transition => {
  const last = d.phases[d.phases.length - 1]!;
  const phases = [...d.phases.slice(0, -1), ended ?? (last.endedAt ? last : { ...last, endedAt: now })];
  const fresh = record.variants.find((v) => v.name === d.variant);
  const old = record.variants.find((v) => v.name !== d.variant && v.role === 'production');
  if (kind !== 'promote' || !fresh) {
    const failed = kind === 'fail' || (kind === 'promote' && !fresh);
    const why = kind === 'promote' && !fresh ? `variant ${d.variant} is no longer on the endpoint` : reason;
    return {
      outcome: 'rolled-back',
      updated: endpointAfter(
        record,
        old ? [{ ...old, weight: 100 }] : record.variants.filter((v) => v.name !== d.variant),
        {
          at: now,
          actor: 'deployment-guard',
          action: 'rolled-back',
          version: old?.version ?? d.version,
          from: d.version,
          deploymentId: d.id,
          reason: why,
        },
      ),
      next: {
        ...d,
        phases,
        status: failed ? 'FAILED' : 'ROLLED_BACK',
        decision: failed ? 'failed' : 'rolled back',
        reason: why,
        updatedAt: now,
      },
      audit: { action: 'rolled-back', version: old?.version ?? d.version, reason: why },
    };
  }
  if (d.strategy === 'shadow') {
    return {
      outcome: 'ended',
      updated: endpointAfter(
        record,
        record.variants.filter((v) => v.role === 'production'),
        {
          at: now,
          actor: 'deployment-driver',
          action: 'shadow-ended',
          version: d.version,
          deploymentId: d.id,
          reason,
        },
      ),
      next: { ...d, phases, status: 'SUCCEEDED', decision: 'shadow evaluated', reason, updatedAt: now },
    };
  }
  return {
    outcome: 'promoted',
    updated: endpointAfter(
      {
        ...record,
        previousVersions: old
          ? [...record.previousVersions, old.version].slice(-20)
          : record.previousVersions,
      },
      [{ ...fresh, weight: 100 }],
      {
        at: now,
        actor: 'deployment-driver',
        action: 'promoted',
        version: d.version,
        from: d.from,
        deploymentId: d.id,
        reason,
      },
    ),
    next: { ...d, phases, status: 'SUCCEEDED', decision: 'promoted', reason, updatedAt: now },
    audit: { action: 'promoted', version: d.version, reason },
  };
};

/**
 * Commits a transition in one transaction, conditional on the endpoint's and the deployment's revs;
 * a closed deployment leaves the active-deployment index. False when a race was lost.
 */
export const commitTransition = async (
  deps: DeploymentsDeps,
  name: string,
  endpointRev: number,
  deploymentRev: number,
  t: Transition,
  nowMs: number,
): Promise<boolean> => {
  const d = t.next;
  const now = new Date(nowMs).toISOString();
  const ops: WriteOp[] = [
    t.updated
      ? { kind: 'put', ...endpointKey(name), data: json(t.updated), condition: { rev: endpointRev } }
      : { kind: 'check', ...endpointKey(name), condition: { rev: endpointRev } },
    { kind: 'put', ...deploymentKey(name, d.id), data: json(d), condition: { rev: deploymentRev } },
  ];
  if (t.outcome !== 'next-phase' && t.outcome !== 'evaluated') {
    ops.push({ kind: 'delete', ...activeDeploymentKey(name) });
  }
  if (t.audit) {
    ops.push(
      deploymentAuditOp({
        id: deps.newId(nowMs),
        at: now,
        actor: t.audit.action === 'promoted' ? 'deployment-driver' : 'deployment-guard',
        model: d.model,
        version: t.audit.version,
        endpoint: name,
        deploymentId: d.id,
        action: t.audit.action,
        strategy: d.strategy,
        from: t.audit.action === 'promoted' ? d.from : d.version,
        reason: t.audit.reason,
        ...(deps.environment ? { environment: deps.environment } : {}),
      }),
    );
  }
  try {
    await deps.store.transact(ops);
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
  return true;
};

const endpointAfter = (
  record: EndpointRecord,
  variants: VariantRecord[],
  entry: EndpointRecord['history'][number],
): EndpointRecord =>
  dropUndefined({
    ...record,
    variants,
    shadowPercent: undefined,
    activeDeployment: undefined,
    history: withHistory(record, dropUndefined(entry)),
    updatedAt: entry.at,
  });

/**
 * One tick of the driver: flushes what serving recorded, then advances every deployment in progress.
 * Returns the outcome per endpoint. A deployment that fails to advance is reported, not thrown, so one
 * broken endpoint does not stop the others.
 */
export const advanceDeployments = async (
  deps: DeploymentsDeps,
  onError: (endpoint: string, error: unknown) => void = () => undefined,
): Promise<Record<string, AdvanceOutcome>> => {
  await deps.recorder.flush();
  const outcomes: Record<string, AdvanceOutcome> = {};
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(ACTIVE_DEPLOYMENTS_PK, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      try {
        outcomes[item.sk] = await advanceDeployment(deps, item.sk);
      } catch (error) {
        onError(item.sk, error);
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return outcomes;
};

export type { Evaluation };
export { endpointView, variantName };
