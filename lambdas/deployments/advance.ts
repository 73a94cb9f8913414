/**
 * The driver's side of a deployment: after each bake, by the platform Clock, the guards are evaluated on
 * the new variant's recorded figures and the deployment moves on (next step, promotion, rollback), or
 * keeps baking while there is no evidence. The local platform ticks `advanceDeployments`; in the cloud
 * the deployment state machine calls the same transitions (tasks/steps.ts).
 */
import type { Item } from '../shared/ports/metadata-store';
import { advanceAb } from './ab';
import type { DeploymentsDeps } from './deps';
import { loadDeployment } from './endpoints';
import { evaluateGuards, hasEvaluatedGuards, sawEvidence } from './guards';
import { ACTIVE_DEPLOYMENTS_PK, activeDeploymentKey, endpointKey, figuresPk, figuresRange } from './keys';
import {
  type DeploymentRecord,
  decodeEndpoint,
  decodeFigures,
  type Evaluation,
  type FiguresRecord,
  type Phase,
} from './records';
import { type AdvanceOutcome, closingTransition, commitTransition, transitionAfter } from './transitions';

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
