/**
 * One run of a monitor, start to end, in this process: the HTTP "run now" route and the local scheduler
 * call it. The cloud job runs the same steps as a state machine (statemachines/drift-job.asl.json),
 * each shard in its own function; see ../job-handler.ts.
 */
import type { ModelBaseline } from '../baselines';
import type { MonitoringDeps } from '../deps';
import { getMonitor } from '../monitors';
import type { ReportSummary } from '../records';
import { actOnReport } from './act';
import { reasonOf, recordFailure } from './failure';
import { buildReport, storeReport } from './finish';
import { objectInPlan, planRun, type RunPlan } from './plan';
import { baselineOfPlan, emptyShard, mergeShards, type ShardSummary, summariseObject } from './shard';

/** The keys a plan reads, page by page from its list prefix. */
export async function* keysOfPlan(
  deps: Pick<MonitoringDeps, 'objects'>,
  plan: RunPlan,
): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const page = await deps.objects.list(plan.source.listPrefix, {
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    for (const object of page.items) if (objectInPlan(plan, object.key)) yield object.key;
    cursor = page.cursor;
  } while (cursor !== undefined);
}

/** Summarises every object of the plan, one at a time: memory holds one object and the running sums. */
const summariseAll = async (
  deps: MonitoringDeps,
  plan: RunPlan,
  baseline: ModelBaseline,
): Promise<ShardSummary> => {
  let merged = emptyShard();
  for await (const key of keysOfPlan(deps, plan)) {
    merged = mergeShards(merged, await summariseObject(deps, plan, baseline, key));
  }
  return merged;
};

/**
 * Runs the monitor named `name` at `now`. A run that fails after the monitor was found is recorded as
 * a failed report and returned (status `failed`, with the reason); only an unknown monitor throws.
 */
export const runMonitor = async (deps: MonitoringDeps, name: string, now: Date): Promise<ReportSummary> => {
  const monitor = await getMonitor(deps, name);
  let plan: RunPlan | undefined;
  try {
    plan = await planRun(deps, monitor, now);
    const baseline = await baselineOfPlan(deps, plan);
    const report = await buildReport(deps, plan, baseline, await summariseAll(deps, plan, baseline));
    const uri = await storeReport(deps, report);
    return await actOnReport(deps, plan, report, uri);
  } catch (error) {
    deps.onRunFailure?.(error, name);
    return recordFailure(
      deps,
      {
        monitor: name,
        model: monitor.model,
        ...(plan ? { version: plan.version } : {}),
        runId: plan?.runId ?? deps.newId(now.getTime()),
        startedAt: plan?.startedAt ?? now.toISOString(),
      },
      reasonOf(error),
    );
  }
};
