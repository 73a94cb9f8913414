/**
 * What an evaluated phase or a decision changes, computed once and committed in one transaction: the
 * endpoint's variants, the deployment record and the registry's `deployment` audit entry. Shared by the
 * local driver (advance.ts) and the state machine's tasks (tasks/steps.ts).
 */
import { deploymentAuditOp } from '../registry/public';
import { ConditionFailedError } from '../shared/errors';
import type { WriteOp } from '../shared/ports/metadata-store';
import type { DeploymentsDeps } from './deps';
import { dropUndefined, withHistory } from './endpoints';
import { failureReason } from './guards';
import { activeDeploymentKey, deploymentKey, endpointKey } from './keys';
import {
  type DeploymentRecord,
  type EndpointRecord,
  type Evaluation,
  json,
  type Phase,
  type VariantRecord,
} from './records';

/** What a driver tick or a state-machine step did to one endpoint's deployment. */
export type AdvanceOutcome =
  | 'waiting'
  | 'next-phase'
  | 'looked'
  | 'promoted'
  | 'rolled-back'
  | 'stopped'
  | 'ended'
  | 'gone';

/** Endpoint variants at one phase: the old production at 100 - step, the new one at step (or as shadow). */
export const variantsAt = (
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

export const weightsOf = (
  variants: readonly VariantRecord[],
  shadowPercent?: number,
): Record<string, number> =>
  Object.fromEntries(
    variants.flatMap((v) =>
      v.role === 'shadow'
        ? [[`${v.name} (shadow)`, shadowPercent ?? 0]]
        : v.weight > 0
          ? [[v.name, v.weight]]
          : [],
    ),
  );

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
