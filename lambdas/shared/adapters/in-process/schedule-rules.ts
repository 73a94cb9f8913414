/**
 * Schedule rules on a scheduler in this process (the local platform's LocalScheduler, EventBridge
 * rules' stand-in): one rule per schedule, replaced when its expression changes. Typed by the slice of
 * the scheduler it uses, so lambdas/ code does not depend on the local platform.
 */
import type { ScheduleRules } from '../../ports/schedule-rules';

export interface InProcessScheduler {
  register(rule: { name: string; expression: string; target: () => Promise<void> }): void;
  unregister(name: string): boolean;
}

export interface InProcessScheduleRulesOptions {
  readonly scheduler: InProcessScheduler;
  /** Throws ValidationError naming `field` for an expression the scheduler would refuse. */
  readonly validate: (expression: string, field: string) => unknown;
  /** Prepended to schedule names, so that monitors and models never share a rule. */
  readonly rulePrefix: string;
  /** Starts the work of schedule `name`; the scheduler logs what it throws and keeps the schedule. */
  readonly run: (name: string) => Promise<unknown>;
}

export const inProcessScheduleRules = (options: InProcessScheduleRulesOptions): ScheduleRules => ({
  put: async (name, expression, field) => {
    options.validate(expression, field);
    const rule = `${options.rulePrefix}${name}`;
    options.scheduler.unregister(rule);
    options.scheduler.register({
      name: rule,
      expression,
      target: async () => void (await options.run(name)),
    });
  },
  remove: async (name) => {
    options.scheduler.unregister(`${options.rulePrefix}${name}`);
  },
});
