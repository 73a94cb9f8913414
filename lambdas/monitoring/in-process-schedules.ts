/**
 * Monitors' schedules on a scheduler in this process (the local platform's LocalScheduler, EventBridge
 * rules' stand-in): one rule per monitor, replaced when the monitor's schedule changes. Typed by the
 * slice of the scheduler it uses, so this module does not depend on the local platform.
 */
import { type MonitoringDeps, type MonitorSchedules, monitoringDeps } from './deps';
import { runMonitor } from './job/run-monitor';

export interface InProcessScheduler {
  register(rule: { name: string; expression: string; target: () => Promise<void> }): void;
  unregister(name: string): boolean;
}

export interface InProcessSchedulesOptions {
  readonly scheduler: InProcessScheduler;
  /** Throws ValidationError naming `field` for an expression the scheduler would refuse. */
  readonly validate: (expression: string, field: string) => unknown;
  /** Runs the monitor; the scheduler logs what it throws and keeps the schedule. */
  readonly run: (monitor: string) => Promise<unknown>;
}

/** Rule name of a monitor's schedule: `monitor-{name}` (64 characters at most, as in EventBridge). */
export const monitorRuleName = (monitor: string): string => `monitor-${monitor}`;

export const inProcessSchedules = (options: InProcessSchedulesOptions): MonitorSchedules => ({
  put: async (name, expression, field) => {
    options.validate(expression, field);
    const rule = monitorRuleName(name);
    options.scheduler.unregister(rule);
    options.scheduler.register({
      name: rule,
      expression,
      target: async () => void (await options.run(name)),
    });
  },
  remove: async (name) => {
    options.scheduler.unregister(monitorRuleName(name));
  },
});

/**
 * Monitoring deps whose schedules run monitors in this process: what the local platform wires. The
 * scheduled run reads the clock when it fires, as the HTTP "run now" does.
 */
export const inProcessMonitoringDeps = (
  deps: Omit<Parameters<typeof monitoringDeps>[0], 'schedules'>,
  scheduler: InProcessScheduler,
  validate: InProcessSchedulesOptions['validate'],
): MonitoringDeps => {
  const monitoring: MonitoringDeps = monitoringDeps({
    ...deps,
    schedules: inProcessSchedules({
      scheduler,
      validate,
      run: (name) => runMonitor(monitoring, name, monitoring.clock.now()),
    }),
  });
  return monitoring;
};
