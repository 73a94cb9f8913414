/**
 * The task steps of statemachines/drift-job.asl.json, one function each, over the same ports and core
 * as runMonitor: Resolve → SummariseShard (per batch of capture objects, in a Distributed Map) → Finish
 * (merge and compare) → Act (notify, state, retraining) — and RecordFailure from any Catch. Shard
 * summaries go to the object store rather than through the state machine, whose payloads hold 256 KiB.
 */
import { createHash } from 'node:crypto';
import type { ModelBaseline } from '../baselines';
import type { MonitoringDeps } from '../deps';
import { MonitorRunError } from '../errors';
import { monitorKey, shardObjectKey, shardsPrefix } from '../keys';
import type { ReportSummary } from '../records';
import { actOnReport } from './act';
import { recordFailure } from './failure';
import { buildReport, readReport, storeReport } from './finish';
import { objectInPlan, planRunOf, type RunPlan } from './plan';
import { emptyShard, mergeShards, type ShardSummary, summariseObject } from './shard';

/** Reads a run's baseline; the job handler caches it, as every shard of a run reads the same one. */
export type BaselineReader = (plan: RunPlan) => Promise<ModelBaseline>;

export type JobEvent =
  | { readonly step: 'resolve'; readonly monitor: string; readonly time?: string }
  | {
      readonly step: 'summarise';
      readonly plan: RunPlan;
      readonly items: readonly { readonly Key: string }[];
    }
  | { readonly step: 'finish'; readonly plan: RunPlan }
  | { readonly step: 'act'; readonly plan: RunPlan; readonly reportUri: string }
  | {
      readonly step: 'fail';
      /** The execution's state when the Catch fired: its input, maybe a plan, and the error. */
      readonly state: {
        readonly monitor?: string;
        readonly resolved?: { readonly plan?: RunPlan };
        readonly error?: { readonly Error?: string; readonly Cause?: string };
      };
      readonly executionName?: string;
    };

/** Objects one SummariseShard invocation reads at once: S3 GETs overlap, memory stays a few objects. */
const CONCURRENT_OBJECTS = 4;

export const resolveStep = async (
  deps: MonitoringDeps,
  monitor: string,
  time?: string,
): Promise<{ plan: RunPlan }> => {
  const now = time === undefined ? deps.clock.now() : new Date(time);
  return { plan: await planRunOf(deps, monitor, now) };
};

/** Summarises a batch of listed objects into one shard object, named by the batch (a retry rewrites it). */
export const summariseStep = async (
  deps: MonitoringDeps,
  readBaseline: BaselineReader,
  plan: RunPlan,
  items: readonly { readonly Key: string }[],
): Promise<{ objects: number; rows: number }> => {
  const keys = items.map((item) => item.Key).filter((key) => objectInPlan(plan, key));
  if (keys.length === 0) return { objects: 0, rows: 0 };
  const baseline = await readBaseline(plan);
  let merged = emptyShard();
  for (let start = 0; start < keys.length; start += CONCURRENT_OBJECTS) {
    const shards = await Promise.all(
      keys.slice(start, start + CONCURRENT_OBJECTS).map((key) => summariseObject(deps, plan, baseline, key)),
    );
    for (const shard of shards) merged = mergeShards(merged, shard);
  }
  const name = createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 32);
  await deps.objects.put(shardObjectKey(plan.monitor.name, plan.runId, name), JSON.stringify(merged), {
    contentType: 'application/json',
  });
  return { objects: merged.counts.objects, rows: merged.counts.rows };
};

/** Merges the run's shard objects, compares, stores the report; the shard objects are then removed. */
export const finishStep = async (
  deps: MonitoringDeps,
  readBaseline: BaselineReader,
  plan: RunPlan,
): Promise<{ reportUri: string }> => {
  const prefix = shardsPrefix(plan.monitor.name, plan.runId);
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.objects.list(prefix, { limit: 1000, ...(cursor ? { cursor } : {}) });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.cursor;
  } while (cursor !== undefined);
  let merged = emptyShard();
  for (const key of keys) {
    const stored = await deps.objects.get(key);
    if (stored)
      merged = mergeShards(merged, JSON.parse(Buffer.from(stored.body).toString('utf8')) as ShardSummary);
  }
  const report = await buildReport(deps, plan, await readBaseline(plan), merged);
  const reportUri = await storeReport(deps, report);
  await Promise.all(keys.map((key) => deps.objects.delete(key)));
  return { reportUri };
};

export const actStep = async (
  deps: MonitoringDeps,
  plan: RunPlan,
  reportUri: string,
): Promise<ReportSummary> => {
  const report = await readReport(deps, plan.monitor.name, plan.runId);
  if (!report) throw new MonitorRunError(`The report of run ${plan.runId} is missing.`);
  return actOnReport(deps, plan, report, reportUri);
};

/** Errors whose message is written for the monitor's owner (see ../errors.ts); others show only their name. */
const OWN_ERRORS = new Set(['MonitorRunError', 'MonitorNotFoundError']);

/** The reason of a caught Lambda error, from the Cause the Lambda runtime writes. */
export const reasonOfCause = (
  error: { readonly Error?: string; readonly Cause?: string } | undefined,
): string => {
  const name = error?.Error ?? 'Error';
  if (!OWN_ERRORS.has(name)) return `Internal error (${name}); see the logs.`;
  try {
    return `${name}: ${(JSON.parse(error?.Cause ?? '{}') as { errorMessage?: string }).errorMessage ?? ''}`;
  } catch {
    return `${name}: ${error?.Cause ?? ''}`;
  }
};

export const failStep = async (
  deps: MonitoringDeps,
  event: Extract<JobEvent, { step: 'fail' }>,
): Promise<ReportSummary | { recorded: false }> => {
  const plan = event.state.resolved?.plan;
  const monitor = plan?.monitor.name ?? event.state.monitor;
  if (monitor === undefined) return { recorded: false };
  const model = plan?.monitor.model ?? (await deps.store.get(monitorKey(monitor)))?.data.model;
  if (typeof model !== 'string') return { recorded: false };
  const now = deps.clock.now();
  return recordFailure(
    deps,
    {
      monitor,
      model,
      ...(plan ? { version: plan.version } : {}),
      runId: plan?.runId ?? deps.newId(now.getTime()),
      startedAt: plan?.startedAt ?? now.toISOString(),
    },
    reasonOfCause(event.state.error),
  );
};

/** Runs the step an event names: the job function's whole body. */
export const runJobStep = (
  deps: MonitoringDeps,
  readBaseline: BaselineReader,
  event: JobEvent,
): Promise<unknown> => {
  switch (event.step) {
    case 'resolve':
      return resolveStep(deps, event.monitor, event.time);
    case 'summarise':
      return summariseStep(deps, readBaseline, event.plan, event.items);
    case 'finish':
      return finishStep(deps, readBaseline, event.plan);
    case 'act':
      return actStep(deps, event.plan, event.reportUri);
    case 'fail':
      return failStep(deps, event);
  }
};
