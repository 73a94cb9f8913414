/**
 * Steps of one execution, built from aws-local-stepfunctions' event log. What the log says, learnt
 * from its source (3.0.0):
 * - StateEntered once per visit; a retry re-runs the state WITHOUT a new StateEntered: it logs
 *   StateFailed, then StateRetried (after the pause), then the next outcome;
 * - a caught error logs StateFailed, StateCaught, then StateExited (the Catch's Next is taken);
 * - a failure that ends the execution logs StateFailed and no StateExited;
 * - states inside a Map iteration carry the iteration `index`; the log closes at the execution's end
 *   and drops whatever arrives later.
 */
import type { Clock } from '../../lambdas/shared/ports/clock';

export type StepStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT' | 'ABORTED';

export interface ExecutionStep {
  readonly name: string;
  /** ASL state type: Task, Choice, Map, Pass, Wait, Parallel, Succeed, Fail. */
  readonly type: string;
  readonly status: StepStatus;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  /** 1 + the number of retries. */
  readonly attempts: number;
  /** Index of the Map iteration the state ran in. */
  readonly iteration?: number;
  readonly error?: string;
  readonly cause?: string;
}

type MutableStep = { -readonly [K in keyof ExecutionStep]: ExecutionStep[K] };

/** The slice of the library's EventLog union this tracker reads. */
interface LoggedEvent {
  readonly type: string;
  readonly state?: { readonly name: string; readonly type: string };
  readonly index?: number;
  readonly Error?: string;
  readonly Cause?: unknown;
}

export class StepTracker {
  readonly #clock: Clock;
  readonly #steps: MutableStep[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Reads the event log to its end; never rejects. */
  async consume(events: AsyncIterable<LoggedEvent>): Promise<void> {
    try {
      for await (const event of events) this.record(event);
    } catch {
      // A broken log loses steps, never the execution's outcome.
    }
  }

  record(event: LoggedEvent): void {
    const { state } = event;
    if (!state) return;
    const now = this.#clock.now();
    switch (event.type) {
      case 'StateEntered':
        this.#steps.push({
          name: state.name,
          type: state.type,
          status: 'RUNNING',
          startedAt: now,
          attempts: 1,
          ...(event.index !== undefined ? { iteration: event.index } : {}),
        });
        return;
      case 'StateExited':
        this.#update(state.name, event.index, ['RUNNING', 'CAUGHT'], (step) => {
          if (step.status === 'RUNNING') step.status = 'SUCCEEDED';
          step.endedAt ??= now;
        });
        return;
      case 'StateFailed':
        this.#update(state.name, event.index, ['RUNNING'], (step) => {
          step.status = 'FAILED';
          step.endedAt = now;
          step.error = event.Error;
          step.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
        });
        return;
      case 'StateRetried':
        this.#update(state.name, event.index, ['FAILED'], (step) => {
          step.status = 'RUNNING';
          step.attempts += 1;
          // error and cause describe the outcome; `attempts` keeps the trace of what was retried.
          step.endedAt = undefined;
          step.error = undefined;
          step.cause = undefined;
        });
        return;
      case 'StateCaught':
        this.#update(state.name, event.index, ['FAILED'], (step) => {
          step.status = 'CAUGHT';
        });
        return;
    }
  }

  /** Marks steps still running when the execution closed (an abort, or a sibling Map iteration's failure). */
  closeOpenSteps(status: StepStatus): void {
    const now = this.#clock.now();
    for (const step of this.#steps) {
      if (step.status === 'RUNNING') {
        step.status = status;
        step.endedAt = now;
      }
    }
  }

  snapshot(): ExecutionStep[] {
    return this.#steps.map((step) => {
      const copy: MutableStep = { ...step };
      for (const key of ['endedAt', 'error', 'cause'] as const) if (copy[key] === undefined) delete copy[key];
      return copy;
    });
  }

  /** The latest visit of a state (in this Map iteration) whose status is one of `from`. */
  #update(
    name: string,
    index: number | undefined,
    from: StepStatus[],
    change: (step: MutableStep) => void,
  ): void {
    for (let i = this.#steps.length - 1; i >= 0; i--) {
      const step = this.#steps[i]!;
      if (step.name === name && step.iteration === index && from.includes(step.status)) {
        change(step);
        return;
      }
    }
  }
}
