/**
 * The middle step of a run, once per capture object: read its records, keep those of the monitored
 * version inside the window, and summarise them against the baseline — features and predictions by the
 * drift engine (binned, mergeable), health counts, and predictions joined to their delayed labels.
 * A shard's summary is JSON and merges with any other, in any order, so shards can be summarised in
 * parallel (a Distributed Map in the cloud) and added up once at the end.
 */
import { type ModelBaseline, PREDICTION_COLUMN, readBaseline } from '../baselines';
import { type CaptureRecord, parseCaptures } from '../captures';
import type { MonitoringDeps } from '../deps';
import { type Cell, type CurrentSummary, mergeSummaries, summarizeShard } from '../drift';
import { MonitorRunError } from '../errors';
import { emptyHealth, type HealthSummary, mergeHealth, tabulate } from '../health';
import { readLabels } from '../labels';
import {
  emptyPerformance,
  type LabelledPair,
  mergePerformance,
  type PerformanceSummary,
} from '../performance';
import type { RunCounts } from '../records';
import type { RunPlan } from './plan';

export interface ShardSummary {
  readonly counts: RunCounts;
  /** Null when no kind of the monitor needs it, or the shard had no rows. */
  readonly features: CurrentSummary | null;
  readonly predictions: CurrentSummary | null;
  readonly health: HealthSummary;
  readonly performance: PerformanceSummary;
}

export const emptyShard = (): ShardSummary => ({
  counts: { objects: 0, rows: 0, otherVersions: 0, outsideWindow: 0, malformed: 0 },
  features: null,
  predictions: null,
  health: emptyHealth(),
  performance: emptyPerformance(),
});

const mergeNullable = (a: CurrentSummary | null, b: CurrentSummary | null): CurrentSummary | null =>
  a === null ? b : b === null ? a : mergeSummaries(a, b);

export const mergeShards = (a: ShardSummary, b: ShardSummary): ShardSummary => ({
  counts: {
    objects: a.counts.objects + b.counts.objects,
    rows: a.counts.rows + b.counts.rows,
    otherVersions: a.counts.otherVersions + b.counts.otherVersions,
    outsideWindow: a.counts.outsideWindow + b.counts.outsideWindow,
    malformed: a.counts.malformed + b.counts.malformed,
  },
  features: mergeNullable(a.features, b.features),
  predictions: mergeNullable(a.predictions, b.predictions),
  health: mergeHealth(a.health, b.health),
  performance: mergePerformance(a.performance, b.performance),
});

/** The baseline of the plan's version; MonitorRunError if it went missing since the plan was made. */
export const baselineOfPlan = async (
  deps: Pick<MonitoringDeps, 'objects'>,
  plan: RunPlan,
): Promise<ModelBaseline> => {
  const baseline = await readBaseline(deps.objects, plan.monitor.model, plan.version);
  if (!baseline) throw new MonitorRunError(`The baseline at ${plan.baselineKey} is gone.`);
  return baseline;
};

/** Keys a flat dataset row may carry besides its features. */
const ROW_FIELDS = new Set(['inferenceId', 'timestamp', 'model', 'version', 'variant', PREDICTION_COLUMN]);

/**
 * Rows of a dataset object: capture records, or flat rows (the features beside `prediction`, as a
 * batch scoring job writes them).
 */
const datasetRows = (body: Uint8Array): { records: CaptureRecord[]; malformed: number } => {
  const text = Buffer.from(body).toString('utf8');
  const parsed = parseCaptures(text);
  if (parsed.records.length > 0 || parsed.malformed === 0) return parsed;
  const records: CaptureRecord[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const row = JSON.parse(line) as Record<string, unknown>;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new TypeError('not an object');
      const features = Object.fromEntries(Object.entries(row).filter(([key]) => !ROW_FIELDS.has(key)));
      records.push({
        ...(row as object),
        features,
        prediction: (row.prediction ?? null) as Cell,
      } as CaptureRecord);
    } catch {
      malformed++;
    }
  }
  return { records, malformed };
};

const inWindow = (plan: RunPlan, record: CaptureRecord): boolean => {
  if (!plan.window) return true;
  const at = Date.parse(record.timestamp);
  return at >= Date.parse(plan.window.from) && at < Date.parse(plan.window.to);
};

/** Summarises one object of the plan; an object that vanished since it was listed counts as empty. */
export const summariseObject = async (
  deps: Pick<MonitoringDeps, 'objects' | 'store'>,
  plan: RunPlan,
  baseline: ModelBaseline,
  key: string,
): Promise<ShardSummary> => {
  const stored = await deps.objects.get(key);
  if (!stored) return emptyShard();
  const parsed = plan.source.kind === 'dataset' ? datasetRows(stored.body) : parseCaptures(stored.body);
  let otherVersions = 0;
  let outsideWindow = 0;
  const kept: CaptureRecord[] = [];
  for (const record of parsed.records) {
    if (record.version !== undefined && record.version !== plan.version) otherVersions++;
    else if (!inWindow(plan, record)) outsideWindow++;
    else kept.push(record);
  }
  const kinds = new Set(plan.monitor.kinds);
  const { table, health } = tabulate(kept.map((record) => record.features));
  const some = kept.length > 0;
  const features =
    some && (kinds.has('data-drift') || kinds.has('feature-health'))
      ? summarizeShard(baseline.features, table)
      : null;
  const predictions =
    some && kinds.has('prediction-drift')
      ? summarizeShard(baseline.predictions, { [PREDICTION_COLUMN]: kept.map((record) => record.prediction) })
      : null;
  let performance = emptyPerformance();
  if (some && kinds.has('performance')) {
    const ids = kept.flatMap((record) =>
      typeof record.inferenceId === 'string' ? [record.inferenceId] : [],
    );
    const labels = await readLabels(deps.store, plan.monitor.model, ids);
    const pairs: LabelledPair[] = [];
    for (const record of kept) {
      const label = labels.get(record.inferenceId);
      if (label !== undefined) pairs.push([record.prediction ?? null, label]);
    }
    performance = mergePerformance(performance, { pairs, truncated: false });
  }
  return {
    counts: { objects: 1, rows: kept.length, otherVersions, outsideWindow, malformed: parsed.malformed },
    features,
    predictions,
    health,
    performance,
  };
};
