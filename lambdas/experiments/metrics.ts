import { mapPage } from '../shared/page';
import { MAX_TRANSACTION_OPS, type Page, type WriteOp } from '../shared/ports/metadata-store';
import type { LatestMetric } from '../shared/ports/run-search-index';
import { type ExperimentsContext, updateRun } from './context';
import { metricHistoryPk, metricHistoryPrefix, metricPointKey } from './keys';

export interface MetricInput {
  readonly key: string;
  readonly value: number;
  /** Defaults to 0. */
  readonly step?: number;
  /** Epoch milliseconds; defaults to the time of the request. */
  readonly timestamp?: number;
}

export type MetricPoint = {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  readonly timestamp: number;
};

/** MLflow's "latest": the greater (step, timestamp, value) wins, so the outcome ignores arrival order. */
export const isNewer = (candidate: LatestMetric, current: LatestMetric | undefined): boolean => {
  if (current === undefined) return true;
  if (candidate.step !== current.step) return candidate.step > current.step;
  if (candidate.timestamp !== current.timestamp) return candidate.timestamp > current.timestamp;
  return candidate.value > current.value;
};

/**
 * Logs one batch of metric points (one request) in a handful of store round trips, not one per point:
 * 1. the history points, up to 100 per transaction, the transactions in parallel (10 for 1,000 points);
 * 2. the run's latest value per key, one conditional write retried if a concurrent batch won the race.
 * A point's key holds its value, so a retried batch rewrites the same items instead of adding copies,
 * and step 2 merges by (step, timestamp, value), so concurrent batches lose nothing in any order.
 */
export const logMetrics = async (
  ctx: ExperimentsContext,
  runId: string,
  inputs: readonly MetricInput[],
): Promise<{ runId: string; logged: number }> => {
  await ctx.locateRun(runId);
  const now = ctx.clock.now().getTime();
  const points = new Map<string, { op: WriteOp; point: MetricPoint }>();
  for (const input of inputs) {
    const point = {
      key: input.key,
      value: input.value,
      step: input.step ?? 0,
      timestamp: input.timestamp ?? now,
    };
    const key = metricPointKey(runId, point);
    points.set(key.sk, { op: { kind: 'put', ...key, data: point }, point });
  }
  const ops = [...points.values()].map((entry) => entry.op);
  const transactions: Promise<void>[] = [];
  for (let i = 0; i < ops.length; i += MAX_TRANSACTION_OPS) {
    transactions.push(ctx.store.transact(ops.slice(i, i + MAX_TRANSACTION_OPS)));
  }
  await Promise.all(transactions);

  const latest = new Map<string, LatestMetric>();
  for (const { point } of points.values()) {
    const { key, ...metric } = point;
    if (isNewer(metric, latest.get(key))) latest.set(key, metric);
  }
  await updateRun(ctx, runId, 'body.metrics', (run, at) => {
    const changed = [...latest].filter(([key, metric]) =>
      isNewer(metric, Object.hasOwn(run.metrics, key) ? run.metrics[key] : undefined),
    );
    if (changed.length === 0) return undefined;
    return {
      ...run,
      metrics: { ...run.metrics, ...Object.fromEntries(changed) },
      updatedAt: at.toISOString(),
    };
  });
  return { runId, logged: points.size };
};

/** A metric's points ordered by step, then timestamp. */
export const metricHistory = async (
  ctx: ExperimentsContext,
  runId: string,
  key: string,
  page: { limit: number; cursor?: string },
): Promise<Page<Omit<MetricPoint, 'key'>>> => {
  await ctx.locateRun(runId);
  const result = await ctx.store.query<MetricPoint>(metricHistoryPk(runId), {
    prefix: metricHistoryPrefix(key),
    limit: page.limit,
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  });
  return mapPage(result, ({ data }) => ({ step: data.step, timestamp: data.timestamp, value: data.value }));
};
