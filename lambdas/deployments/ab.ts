/**
 * A/B deployments: production (A) and the new version (B) both serve, split by weight, sticky by `key`.
 * Serving records which variant answered each inference id; labels posted to monitoring
 * (`POST /models/{model}/labels`) are joined with those ids into per-variant outcome summaries. Each
 * evaluation (a driver tick at least `bakeSeconds` after the previous one) is one look of the
 * always-valid sequential test (mSPRT), whose looks are kept in the deployment record; the experiment
 * statistics (`./experiment`, `decide()`) say B wins (promoted), A wins (B removed, production kept),
 * sample-ratio mismatch (stopped, FAILED) or no evidence yet (the deployment stays IN_PROGRESS; a
 * due tick on unchanged data records no look; after MAX_LOOKS looks it stops, FAILED).
 *
 * Cost: each look reads every assignment item and batch-reads the labels of every assigned id (100
 * per read), so a look is O(assigned inferences); summaries are recomputed, since a label may arrive
 * for any earlier inference. Assignment items are not deleted with the endpoint.
 */
import { labelsOf } from '../monitoring/public';
import { deploymentAuditOp } from '../registry/public';
import { ConditionFailedError, NotFoundError } from '../shared/errors';
import type { Item, WriteOp } from '../shared/ports/metadata-store';
import type { DeploymentsDeps } from './deps';
import { dropUndefined, loadDeployment, withHistory } from './endpoints';
import { decide, type ExperimentReport, type OutcomeSummary, summarize } from './experiment';
import { activeDeploymentKey, assignmentsPk, deploymentKey, endpointKey } from './keys';
import {
  type AbRecord,
  type DeploymentRecord,
  decodeAssignments,
  type EndpointRecord,
  json,
  type LookRecord,
  type Stored,
} from './records';
import type { AbSettingsInput } from './schemas';

/** mde for a binary metric when none is given: 5 percentage points. */
export const DEFAULT_BINARY_MDE = 0.05;
/**
 * Looks a deployment keeps (each ~250 bytes, far below an item's 400 KB with the last report): an
 * A/B still undecided at its last look stops (FAILED) and says so.
 */
export const MAX_LOOKS = 1_000;
/** Seconds between looks when the request gives no bakeSeconds. */
export const DEFAULT_LOOK_SECONDS = 3600;
/** B's share of traffic when the request gives no steps. */
export const DEFAULT_B_PERCENT = 50;

export const abRecordOf = (ab: AbSettingsInput, control: { name: string; version: number }): AbRecord => ({
  metric: ab.metric,
  alpha: ab.alpha ?? 0.05,
  minimumDetectableEffect: ab.minimumDetectableEffect ?? DEFAULT_BINARY_MDE,
  higherIsBetter: ab.higherIsBetter ?? true,
  control: control.name,
  controlVersion: control.version,
});

/**
 * A label as an outcome, or undefined when it does not count. Binary: 1, true, "1", "true" → 1;
 * 0, false, "0", "false" → 0. Continuous: a finite number, or a string holding one.
 */
export const outcomeOf = (metric: AbRecord['metric'], label: unknown): number | undefined => {
  if (metric === 'binary') {
    if (label === 1 || label === true || label === '1' || label === 'true') return 1;
    if (label === 0 || label === false || label === '0' || label === 'false') return 0;
    return undefined;
  }
  const value =
    typeof label === 'number'
      ? label
      : typeof label === 'string' && label.trim() !== ''
        ? Number(label)
        : NaN;
  return Number.isFinite(value) ? value : undefined;
};

/** Inference ids each variant answered so far, from the appended assignment items. */
const readAssignments = async (
  deps: DeploymentsDeps,
  endpoint: string,
  deploymentId: string,
): Promise<Map<string, string[]>> => {
  const byVariant = new Map<string, string[]>();
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(assignmentsPk(endpoint, deploymentId), {
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const item of page.items as Item[]) {
      const record = decodeAssignments(item);
      const ids = byVariant.get(record.variant) ?? [];
      for (const id of record.ids) ids.push(id);
      byVariant.set(record.variant, ids);
    }
    cursor = page.cursor;
  } while (cursor);
  return byVariant;
};

interface Observed {
  readonly assigned: [number, number];
  readonly outcomes: [OutcomeSummary, OutcomeSummary];
}

/** Assigned counts and outcome summaries of A and B: assignments joined with monitoring's labels. */
const observe = async (deps: DeploymentsDeps, d: DeploymentRecord, ab: AbRecord): Promise<Observed> => {
  const byVariant = await readAssignments(deps, d.endpoint, d.id);
  const arms = [ab.control, d.variant].map((variant) => byVariant.get(variant) ?? []);
  const summaries = await Promise.all(
    arms.map(async (ids) => {
      const unique = [...new Set(ids)];
      const labels = await labelsOf(deps.store, d.model, unique);
      const values: number[] = [];
      for (const id of unique) {
        const outcome = labels.has(id) ? outcomeOf(ab.metric, labels.get(id)) : undefined;
        if (outcome !== undefined) values.push(outcome);
      }
      return summarize(values);
    }),
  );
  return {
    assigned: [arms[0]!.length, arms[1]!.length],
    outcomes: [summaries[0]!, summaries[1]!],
  };
};

const splitOf = (d: DeploymentRecord): [number, number] => {
  const b = d.steps[0]!;
  return [100 - b, b];
};

/** The experiment report over the recorded looks plus the data as it is now (one more look). */
const reportNow = async (
  deps: DeploymentsDeps,
  d: DeploymentRecord,
  ab: AbRecord,
): Promise<{ report: ExperimentReport; observed: Observed }> => {
  const observed = await observe(deps, d, ab);
  const [weightA, weightB] = splitOf(d);
  const report = decide({
    metric: ab.metric,
    variants: [
      { name: ab.control, weight: weightA, assigned: observed.assigned[0], outcomes: observed.outcomes[0] },
      { name: d.variant, weight: weightB, assigned: observed.assigned[1], outcomes: observed.outcomes[1] },
    ],
    history: (d.looks ?? []).map((look) => ({ a: look.a, b: look.b })),
    alpha: ab.alpha,
    minimumDetectableEffect: ab.minimumDetectableEffect,
    higherIsBetter: ab.higherIsBetter,
  });
  return { report, observed };
};

const abOf = (d: DeploymentRecord): AbRecord => {
  if (!d.ab)
    throw new NotFoundError(`Deployment ${d.id} of endpoint ${d.endpoint} is not an A/B deployment.`);
  return d.ab;
};

/** When the next look is due: `bakeSeconds` after the last look (or the start). */
export const nextLookDue = (d: DeploymentRecord): number =>
  Date.parse(d.looks?.at(-1)?.at ?? d.phases[0]!.startedAt) + d.bakeSeconds * 1000;

export type AbOutcome = 'waiting' | 'looked' | 'promoted' | 'rolled-back' | 'stopped';

/**
 * One evaluation of an A/B deployment if a look is due by the Clock: the look is appended to the
 * deployment; B wins → B at 100 % (promoted, audited); A wins → A back at 100 % (SUCCEEDED, decision
 * "kept production", audited as rolled-back); sample-ratio mismatch → A back at 100 %, FAILED, the
 * report's reason; no evidence yet → IN_PROGRESS with one more look. One transaction conditional on the
 * endpoint's and the deployment's revs; a lost race is retried at the next tick.
 */
export const advanceAb = async (
  deps: DeploymentsDeps,
  endpointItem: Stored<EndpointRecord>,
  deployment: Stored<DeploymentRecord>,
): Promise<AbOutcome> => {
  const record = endpointItem.data;
  const d = deployment.data;
  const ab = abOf(d);
  const nowMs = deps.clock.now().getTime();
  if (nowMs < nextLookDue(d)) return 'waiting';
  const now = new Date(nowMs).toISOString();
  const { report, observed } = await reportNow(deps, d, ab);
  const previous = d.looks?.at(-1);
  // A look on the same data as the last one adds nothing to the test: it is not recorded.
  if (previous && sameData(previous, observed)) return 'waiting';
  const look: LookRecord = {
    at: now,
    assigned: observed.assigned,
    a: observed.outcomes[0],
    b: observed.outcomes[1],
    statistic: report.sequential.statistic,
    pValue: report.sequential.pValue,
    decision: report.decision,
  };
  const looks = [...(d.looks ?? []), look];
  const outOfLooks = report.decision === 'no-evidence-yet' && looks.length >= MAX_LOOKS;
  const reason = outOfLooks
    ? `no decision after ${MAX_LOOKS} looks, the most a deployment keeps (${report.reason}); start again with a longer bakeSeconds between looks`
    : report.reason;
  const looked: DeploymentRecord = { ...d, looks, experiment: report, updatedAt: now };
  const name = d.endpoint;
  if (report.decision === 'no-evidence-yet' && !outOfLooks) {
    const ops: WriteOp[] = [
      { kind: 'put', ...deploymentKey(name, d.id), data: json(looked), condition: { rev: deployment.rev } },
    ];
    return (await commit(deps, ops)) ? 'looked' : 'waiting';
  }
  const fresh = record.variants.find((v) => v.name === d.variant);
  const control = record.variants.find((v) => v.name === ab.control);
  const bWins = report.decision === 'B' && fresh !== undefined;
  const keep = bWins ? fresh : control;
  if (!keep) return 'waiting';
  const stopped = report.decision === 'invalid-srm' || outOfLooks;
  const next: DeploymentRecord = {
    ...looked,
    phases: looked.phases.map((phase, i) =>
      i === looked.phases.length - 1 && phase.endedAt === undefined ? { ...phase, endedAt: now } : phase,
    ),
    status: stopped ? 'FAILED' : 'SUCCEEDED',
    decision: bWins ? 'promoted' : stopped ? 'stopped' : 'kept production',
    reason,
  };
  const action = bWins ? 'promoted' : 'rolled-back';
  const updated: EndpointRecord = dropUndefined({
    ...record,
    variants: [{ ...keep, weight: 100 }],
    previousVersions:
      bWins && control ? [...record.previousVersions, control.version].slice(-20) : record.previousVersions,
    activeDeployment: undefined,
    experiment: undefined,
    history: withHistory(record, {
      at: now,
      actor: 'deployment-driver',
      action,
      version: keep.version,
      from: bWins ? d.from : d.version,
      deploymentId: d.id,
      reason,
    }),
    updatedAt: now,
  });
  const ops: WriteOp[] = [
    { kind: 'put', ...endpointKey(name), data: json(updated), condition: { rev: endpointItem.rev } },
    { kind: 'put', ...deploymentKey(name, d.id), data: json(next), condition: { rev: deployment.rev } },
    { kind: 'delete', ...activeDeploymentKey(name) },
    deploymentAuditOp({
      id: deps.newId(nowMs),
      at: now,
      actor: 'deployment-driver',
      model: d.model,
      version: keep.version,
      endpoint: name,
      deploymentId: d.id,
      action,
      strategy: d.strategy,
      from: bWins ? d.from : d.version,
      reason,
      ...(deps.environment ? { environment: deps.environment } : {}),
    }),
  ];
  if (!(await commit(deps, ops))) return 'waiting';
  return bWins ? 'promoted' : stopped ? 'stopped' : 'rolled-back';
};

const sameSummary = (x: OutcomeSummary, y: OutcomeSummary): boolean =>
  x.count === y.count && x.sum === y.sum && x.m2 === y.m2;

const sameData = (look: LookRecord, observed: Observed): boolean =>
  look.assigned[0] === observed.assigned[0] &&
  look.assigned[1] === observed.assigned[1] &&
  sameSummary(look.a, observed.outcomes[0]) &&
  sameSummary(look.b, observed.outcomes[1]);

const commit = async (deps: DeploymentsDeps, ops: WriteOp[]): Promise<boolean> => {
  try {
    await deps.store.transact(ops);
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
};

export interface ExperimentView extends Omit<ExperimentReport, 'variants'> {
  readonly deploymentId: string;
  readonly endpoint: string;
  readonly status: DeploymentRecord['status'];
  readonly weights: Record<string, number>;
  readonly asOf: string;
  readonly final: boolean;
  readonly variants: readonly (ExperimentReport['variants'][number] & { readonly version: number })[];
  readonly looks: {
    at: string;
    assigned: [number, number];
    n: [number, number];
    statistic: number;
    pValue: number;
    decision: string;
  }[];
}

/**
 * `GET …/experiment`: for a deployment in progress, the report over the recorded looks and the data
 * as it is now (a read, not recorded as a look: the mSPRT's p-value is valid whenever one reads it);
 * for an ended one, the report of the look that ended it.
 */
export const getExperiment = async (
  deps: DeploymentsDeps,
  name: string,
  id: string,
): Promise<ExperimentView> => {
  const d = (await loadDeployment(deps, name, id)).data;
  const ab = abOf(d);
  const final = d.status !== 'IN_PROGRESS' && d.experiment !== undefined;
  const report = final ? d.experiment! : (await reportNow(deps, d, ab)).report;
  const [weightA, weightB] = splitOf(d);
  const versions = [ab.controlVersion, d.version];
  return {
    ...report,
    deploymentId: d.id,
    endpoint: name,
    status: d.status,
    weights: { [ab.control]: weightA, [d.variant]: weightB },
    asOf: final ? d.looks!.at(-1)!.at : deps.clock.now().toISOString(),
    final,
    variants: report.variants.map((v, i) => ({ ...v, version: versions[i]! })),
    looks: (d.looks ?? []).map((look) => ({
      at: look.at,
      assigned: look.assigned,
      n: [look.a.count, look.b.count],
      statistic: look.statistic,
      pValue: look.pValue,
      decision: look.decision,
    })),
  };
};
