/**
 * Monitors' schedules on the in-process scheduler (the local platform's LocalScheduler): one rule per
 * monitor, `monitor-{name}`, replaced when the monitor's schedule changes.
 */
import {
  type InProcessScheduleRulesOptions,
  type InProcessScheduler,
  inProcessScheduleRules,
} from '../shared/adapters/in-process/schedule-rules';
import { type MonitoringDeps, monitoringDeps } from './deps';
import { runMonitor } from './job/run-monitor';

/** Rule name of a monitor's schedule: `monitor-{name}` (64 characters at most, as in EventBridge). */
export const MONITOR_RULE_PREFIX = 'monitor-';
export const monitorRuleName = (monitor: string): string => `${MONITOR_RULE_PREFIX}${monitor}`;

/**
 * Monitoring deps whose schedules run monitors in this process: what the local platform wires. The
 * scheduled run reads the clock when it fires, as the HTTP "run now" does.
 */
export const inProcessMonitoringDeps = (
  deps: Omit<Parameters<typeof monitoringDeps>[0], 'schedules'>,
  scheduler: InProcessScheduler,
  validate: InProcessScheduleRulesOptions['validate'],
): MonitoringDeps => {
  const monitoring: MonitoringDeps = monitoringDeps({
    ...deps,
    schedules: inProcessScheduleRules({
      scheduler,
      validate,
      rulePrefix: MONITOR_RULE_PREFIX,
      run: (name) => runMonitor(monitoring, name, monitoring.clock.now()),
    }),
  });
  return monitoring;
};
