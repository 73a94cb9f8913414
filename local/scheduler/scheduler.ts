/**
 * The local EventBridge: scheduled rules fired in process. Each rule keeps one timer, armed for its
 * next fire time; clock and timer functions are injected so tests move time instead of waiting.
 *
 * Behaviour chosen to match EventBridge where a laptop allows:
 * - the event is the "Scheduled Event" EventBridge sends, `time` being the scheduled time;
 * - a rate rule counts from when it starts (start(), or its registration if the scheduler runs);
 * - a target failure is logged and the rule keeps its schedule;
 * - fires missed while the machine slept are not replayed one by one: the rule fires once, late,
 *   and continues from the present (EventBridge would not have missed them; a backlog of drift
 *   checks after a night with the lid closed helps no one).
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { ConflictError, NotFoundError, ValidationError } from '../../lambdas/shared/errors';
import type { Clock } from '../../lambdas/shared/ports/clock';
import { nextFireTime, parseScheduleExpression, type ScheduleExpression } from './schedule-expression';

export type { ScheduledEvent };

export interface ScheduleRule {
  /** EventBridge rule name: 1-64 of letters, digits, `.`, `-`, `_`. */
  readonly name: string;
  /** `rate(...)` or `cron(...)`, as in the CDK stack. */
  readonly expression: string;
  readonly target: (event: ScheduledEvent) => Promise<void>;
}

export interface TimerFunctions {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SchedulerLogger {
  error(message: string, details: Record<string, unknown>): void;
}

export interface LocalSchedulerOptions {
  /** The composition root's one time source: fire times are computed from it. */
  readonly clock: Clock;
  /** @default the global setTimeout / clearTimeout */
  readonly timers?: TimerFunctions;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** @default console */
  readonly logger?: SchedulerLogger;
}

export interface RuleStatus {
  readonly name: string;
  readonly expression: string;
  readonly ruleArn: string;
  /** Absent when the scheduler is stopped or the rule will never fire again. */
  readonly nextFireTime?: Date;
}

interface RuleState {
  readonly rule: ScheduleRule;
  readonly schedule: ScheduleExpression;
  readonly ruleArn: string;
  anchor?: Date;
  due?: Date;
  timer?: unknown;
}

/** Node's timers overflow past 2^31 - 1 ms (~24.8 days) and fire at once; longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

const defaultTimers: TimerFunctions = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const consoleLogger: SchedulerLogger = { error: (message, details) => console.error(message, details) };

export class LocalScheduler {
  readonly #clock: Clock;
  readonly #timers: TimerFunctions;
  readonly #region: string;
  readonly #account: string;
  readonly #logger: SchedulerLogger;
  readonly #rules = new Map<string, RuleState>();
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;

  constructor(options: LocalSchedulerOptions) {
    this.#clock = options.clock;
    this.#timers = options.timers ?? defaultTimers;
    this.#region = options.region ?? 'us-east-1';
    this.#account = options.accountId ?? '000000000000';
    this.#logger = options.logger ?? consoleLogger;
  }

  /** Adds a rule; throws ValidationError for a bad name or expression, ConflictError for a taken name. */
  register(rule: ScheduleRule): void {
    if (!RULE_NAME.test(rule.name)) {
      throw new ValidationError([
        { field: 'name', rule: 'pattern', message: 'must be 1-64 letters, digits, ".", "-" or "_"' },
      ]);
    }
    if (this.#rules.has(rule.name))
      throw new ConflictError(`a rule named ${rule.name} is already registered`);
    const state: RuleState = {
      rule,
      schedule: parseScheduleExpression(rule.expression),
      ruleArn: `arn:aws:events:${this.#region}:${this.#account}:rule/${rule.name}`,
    };
    this.#rules.set(rule.name, state);
    if (this.#running) this.#begin(state);
  }

  /** Removes a rule and its timer; a target already running finishes. */
  unregister(name: string): boolean {
    const state = this.#rules.get(name);
    if (!state) return false;
    this.#disarm(state);
    return this.#rules.delete(name);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const state of this.#rules.values()) this.#begin(state);
  }

  /** Clears every timer, then waits for targets already running to settle. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const state of this.#rules.values()) this.#disarm(state);
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Fires a rule now, outside its schedule (a "run now" button); the target's error reaches the caller. */
  async trigger(name: string): Promise<void> {
    const state = this.#rules.get(name);
    if (!state) throw new NotFoundError(`no rule named ${name}`);
    await state.rule.target(this.#event(state, this.#clock.now()));
  }

  list(): RuleStatus[] {
    return [...this.#rules.values()].map(({ rule, ruleArn, due }) => ({
      name: rule.name,
      expression: rule.expression,
      ruleArn,
      ...(due ? { nextFireTime: due } : {}),
    }));
  }

  #begin(state: RuleState): void {
    const now = this.#clock.now();
    state.anchor = now;
    this.#arm(state, now);
  }

  #arm(state: RuleState, after: Date): void {
    state.due = nextFireTime(state.schedule, after, state.anchor ? { start: state.anchor } : {});
    if (state.due) this.#wait(state);
  }

  #wait(state: RuleState): void {
    const remaining = (state.due?.getTime() ?? 0) - this.#clock.now().getTime();
    const delay = Math.min(Math.max(remaining, 0), MAX_TIMER_MS);
    state.timer = this.#timers.setTimeout(() => this.#onTimer(state), delay);
  }

  #disarm(state: RuleState): void {
    if (state.timer !== undefined) this.#timers.clearTimeout(state.timer);
    state.timer = undefined;
    state.due = undefined;
  }

  #onTimer(state: RuleState): void {
    state.timer = undefined;
    const due = state.due;
    if (!this.#running || this.#rules.get(state.rule.name) !== state || !due) return;
    const now = this.#clock.now();
    if (now.getTime() < due.getTime()) {
      // Woken before time: a chained long wait, or a clock that drifted from the timers.
      this.#wait(state);
      return;
    }
    this.#fire(state, due);
    this.#arm(state, now.getTime() > due.getTime() ? now : due);
  }

  #fire(state: RuleState, due: Date): void {
    const event = this.#event(state, due);
    const run = (async () => {
      try {
        await state.rule.target(event);
      } catch (error) {
        this.#logger.error('scheduled target failed; the rule keeps its schedule', {
          rule: state.rule.name,
          time: event.time,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        });
      }
    })();
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  #event(state: RuleState, time: Date): ScheduledEvent<Record<string, never>> {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.#account,
      // EventBridge writes whole seconds: 2026-03-02T09:00:00Z.
      time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.#region,
      resources: [state.ruleArn],
      detail: {},
    };
  }
}
