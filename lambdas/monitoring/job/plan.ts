/**
 * The first step of a run: which version to judge (the alias resolved now, or the pinned version),
 * its baseline, and which objects hold the data. The plan travels through every later step (the
 * state machine's payload in the cloud), so it is small and JSON.
 */
import { resolveAlias } from '../../registry/public';
import { baselineKey } from '../baselines';
import { defaultCapturePrefix, keyInWindow, windowListPrefix } from '../captures';
import type { MonitoringDeps } from '../deps';
import { MonitorRunError } from '../errors';
import { getMonitor } from '../monitors';
import type { MonitorRecord } from '../records';

export type RunSource =
  | {
      readonly kind: 'captures';
      /** The capture prefix; hour folders below it. */
      readonly prefix: string;
      /** What to list: the window's hour folders share it (see windowListPrefix). */
      readonly listPrefix: string;
    }
  | { readonly kind: 'dataset'; readonly key: string; readonly listPrefix: string };

export interface RunPlan {
  /** A ULID: the report's id too. */
  readonly runId: string;
  readonly startedAt: string;
  readonly monitor: MonitorRecord;
  readonly version: number;
  readonly baselineKey: string;
  readonly source: RunSource;
  /** [from, to) of captures; absent for a dataset, which is read whole. */
  readonly window?: { readonly from: string; readonly to: string };
}

const HOUR_MS = 3_600_000;

/** The version a monitor judges now. */
const resolveVersion = async (
  deps: Pick<MonitoringDeps, 'store'>,
  monitor: MonitorRecord,
): Promise<number> => {
  if (monitor.version !== undefined) return monitor.version;
  const alias = monitor.alias ?? 'champion';
  const version = await resolveAlias(deps.store, monitor.model, alias);
  if (version === undefined)
    throw new MonitorRunError(`Model ${monitor.model} has no alias ${alias}: no version to monitor.`);
  return version;
};

/** Resolves a monitor's next run at `now`; MonitorRunError when there is nothing to judge against. */
export const planRun = async (deps: MonitoringDeps, monitor: MonitorRecord, now: Date): Promise<RunPlan> => {
  const version = await resolveVersion(deps, monitor);
  const key = baselineKey(monitor.model, version);
  if (!(await deps.objects.head(key))) {
    throw new MonitorRunError(
      `Version ${version} of model ${monitor.model} has no baseline at ${key}; the training pipeline writes it at registration.`,
    );
  }
  const base = {
    runId: deps.newId(now.getTime()),
    startedAt: now.toISOString(),
    monitor,
    version,
    baselineKey: key,
  };
  const dataset = monitor.dataSource.datasetUri;
  if (dataset !== undefined) {
    return { ...base, source: { kind: 'dataset', key: dataset, listPrefix: dataset } };
  }
  const prefix = monitor.dataSource.captureUri ?? defaultCapturePrefix(monitor.model);
  const from = new Date(now.getTime() - monitor.window.hours * HOUR_MS);
  return {
    ...base,
    source: { kind: 'captures', prefix, listPrefix: windowListPrefix(prefix, from, now) },
    window: { from: from.toISOString(), to: now.toISOString() },
  };
};

/** Plans a run of the monitor named `name` (the cloud job's first step, from a schedule). */
export const planRunOf = async (deps: MonitoringDeps, name: string, now: Date): Promise<RunPlan> =>
  planRun(deps, await getMonitor(deps, name), now);

/** Whether a listed object belongs to the run: the dataset itself, or a capture file of the window. */
export const objectInPlan = (plan: RunPlan, key: string): boolean => {
  if (plan.source.kind === 'dataset') return key === plan.source.key;
  if (!key.endsWith('.jsonl') || !plan.window) return false;
  return keyInWindow(plan.source.prefix, key, Date.parse(plan.window.from), Date.parse(plan.window.to));
};
