import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadLambdaConfig } from '../shared/config';
import { makeObservability } from '../shared/observability';
import type { ModelBaseline } from './baselines';
import { cloudMonitoringDeps } from './cloud-deps';
import { noSchedules } from './deps';
import type { RunPlan } from './job/plan';
import { baselineOfPlan } from './job/shard';
import { type JobEvent, runJobStep } from './job/steps';
import { metricsOfReport } from './metrics';

// Lambda composition root of the drift job's task states: config parsed once at cold start, AWS
// adapters chosen here. One function serves every step; the state machine names the step.
const config = loadLambdaConfig(process.env);
const observability = makeObservability(config.serviceName);
const { logger, metrics } = observability;
const deps = cloudMonitoringDeps(config, {
  schedules: noSchedules,
  onReport: (report) => {
    for (const datum of metricsOfReport(report)) {
      const single = metrics.singleMetric();
      for (const [name, value] of Object.entries(datum.dimensions)) single.addDimension(name, value);
      single.addMetric(
        datum.name,
        datum.unit === 'Count' ? MetricUnit.Count : MetricUnit.NoUnit,
        datum.value,
      );
    }
  },
  onPublishFailure: (error) =>
    logger.warn('RetrainingRequested not published; kept as pending', { error: error as Error }),
});

// A warm function keeps the last baseline: every shard of a run reads the same one, and the drift
// engine caches its bin lookups per baseline object.
let cached: { key: string; baseline: Promise<ModelBaseline> } | undefined;
const readBaseline = (plan: RunPlan): Promise<ModelBaseline> => {
  if (cached?.key !== plan.baselineKey)
    cached = { key: plan.baselineKey, baseline: baselineOfPlan(deps, plan) };
  const entry = cached;
  entry.baseline.catch(() => {
    if (cached === entry) cached = undefined;
  });
  return entry.baseline;
};

export const handler = async (event: JobEvent): Promise<unknown> => {
  logger.appendKeys({ step: event.step });
  if (event.step === 'fail')
    logger.error('drift job failed', { error: event.state.error, execution: event.executionName });
  return runJobStep(deps, readBaseline, event);
};
