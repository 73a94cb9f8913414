import { driftJobScheduleRules } from '../shared/adapters/aws/drift-job-schedule-rules';
import { loadLambdaConfig } from '../shared/config';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makeMonitoringHandler } from './app';
import { cloudMonitoringDeps } from './cloud-deps';
import { loadMonitoringConfig } from './config';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
const monitoring = loadMonitoringConfig(process.env);
const deps = cloudMonitoringDeps(config, {
  schedules: driftJobScheduleRules({
    rulePrefix: monitoring.rulePrefix,
    stateMachineArn: monitoring.stateMachineArn,
    roleArn: monitoring.scheduleRoleArn,
  }),
});

export const handler = makeMonitoringHandler(deps, makeObservability(config.serviceName), {
  idempotency: { store: deps.store, clock: systemClock },
});
