/**
 * The local Step Functions: runs the very statemachines/*.asl.json files the cloud runs, on
 * aws-local-stepfunctions, with Task resources answered by in-process handlers. Executions are
 * kept in memory and described in the shape of DescribeExecution, plus the steps taken (read from
 * the library's event log), so the local API can show a pipeline run as the console would.
 *
 * On Node 20 the library needs local/shims/promise-with-resolvers.ts loaded first.
 */
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import { ValidationError } from '../../lambdas/shared/errors';
import type { Clock } from '../../lambdas/shared/ports/clock';
import { adaptForLocalRun, CLOCK_START_TIME, listStates, type StateMachineDefinition } from './definition';
import {
  ExecutionAlreadyExistsError,
  ExecutionDoesNotExistError,
  StateMachineDefinitionError,
} from './errors';
import { type ExecutionStep, StepTracker } from './step-tracker';
import { buildStateHandlers, DEFAULT_PAYLOAD_LIMIT_BYTES, type TaskHandlers } from './task-handlers';

export type { ExecutionStep, StepStatus } from './step-tracker';
export type { TaskHandler, TaskHandlers } from './task-handlers';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly steps: readonly ExecutionStep[];
}

export type ExecutionSummary = Omit<ExecutionDescription, 'input' | 'output' | 'error' | 'cause' | 'steps'>;

export interface LocalStepFunctionsOptions {
  /** Handlers by resource ARN after substitution; for `lambda:invoke`, by function ARN or name. */
  readonly taskHandlers: TaskHandlers;
  /** Stamps executions and steps: the composition root's one time source. */
  readonly clock: Clock;
  /** Milliseconds to wait in the named Wait states instead of what the definition says. */
  readonly waitTimeOverrides?: Readonly<Record<string, number>>;
  /** Milliseconds every retry waits, flat, overriding the scale below (tests pass 0). */
  readonly retryIntervalOverride?: number;
  /**
   * Factor applied to every retrier's IntervalSeconds and MaxDelaySeconds, keeping the backoff shape.
   * @default 0.01 — a 1 s, 2 s, 4 s backoff becomes 10, 20, 40 ms: visible in the steps, no waiting.
   */
  readonly retryIntervalScale?: number;
  /** @default 86_400 — see adaptForLocalRun. */
  readonly defaultTaskTimeoutSeconds?: number;
  /** @default 262_144 (the Step Functions payload limit) */
  readonly payloadLimitBytes?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** Closed executions kept for describe(); the oldest go first. @default 1000 */
  readonly retainExecutions?: number;
}

export interface StartedExecution {
  readonly executionArn: string;
  /** Settles (never rejects) once the execution is closed and its steps are recorded. */
  readonly result: Promise<ExecutionDescription>;
}

interface Prepared {
  readonly machine: StateMachine;
  readonly stateHandlers: ReturnType<typeof buildStateHandlers>;
  readonly retryIntervalOverrides: Record<string, number>;
}

interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly inputJson: string;
  readonly startDate: Date;
  readonly steps: StepTracker;
  readonly abort: () => void;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  stopRequest?: { error?: string; cause?: string };
  settled?: Promise<ExecutionDescription>;
}

/** Step Functions names: 1-80 characters, none of whitespace, brackets, wildcards, punctuation or controls. */
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

function checkName(field: string, value: string): void {
  if (!NAME_PATTERN.test(value)) {
    throw new ValidationError([
      {
        field,
        rule: 'name',
        message: 'must be 1-80 characters without whitespace, brackets, wildcards or punctuation',
      },
    ]);
  }
}

export class LocalStepFunctions {
  readonly #options: LocalStepFunctionsOptions;
  readonly #clock: Clock;
  readonly #executions = new Map<string, ExecutionRecord>();
  readonly #prepared = new WeakMap<StateMachineDefinition, Prepared>();

  constructor(options: LocalStepFunctionsOptions) {
    const scale = options.retryIntervalScale ?? 0.01;
    if (!(scale >= 0)) throw new RangeError('retryIntervalScale must be a number >= 0');
    if (options.retryIntervalOverride !== undefined && !(options.retryIntervalOverride >= 0)) {
      throw new RangeError('retryIntervalOverride must be a number of milliseconds >= 0');
    }
    this.#options = options;
    this.#clock = options.clock;
  }

  /** ARN the cloud would give a state machine of this name (region and account from the options). */
  stateMachineArn(stateMachineName: string): string {
    return `arn:aws:states:${this.#region()}:${this.#account()}:stateMachine:${stateMachineName}`;
  }

  /**
   * Starts an execution, as StartExecution: a repeated name with the same input while the first is
   * running returns the first; otherwise a used name is refused. Throws StateMachineDefinitionError
   * when the definition is invalid or a Task has no handler.
   */
  start(
    stateMachineName: string,
    definition: StateMachineDefinition,
    input: unknown,
    options: { readonly name?: string } = {},
  ): StartedExecution {
    const name = options.name ?? randomUUID();
    checkName('stateMachineName', stateMachineName);
    checkName('name', name);
    const stateMachineArn = this.stateMachineArn(stateMachineName);
    const executionArn = `arn:aws:states:${this.#region()}:${this.#account()}:execution:${stateMachineName}:${name}`;
    const inputJson = JSON.stringify(input ?? {});
    const existing = this.#executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.inputJson === inputJson && existing.settled) {
        return { executionArn, result: existing.settled };
      }
      throw new ExecutionAlreadyExistsError(`execution ${executionArn} already exists`);
    }
    const prepared = this.#prepare(definition);
    const startDate = this.#clock.now();
    const run = prepared.machine.run(JSON.parse(inputJson), {
      overrides: {
        taskResourceLocalHandlers: prepared.stateHandlers,
        waitTimeOverrides: { ...this.#options.waitTimeOverrides },
        retryIntervalOverrides: prepared.retryIntervalOverrides,
      },
      // $$.Execution.Id / Name are how definitions pass a run id to their tasks.
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          RedriveCount: 0,
          [CLOCK_START_TIME]: startDate.toISOString(),
        },
        StateMachine: { Id: stateMachineArn, Name: stateMachineName },
      },
    });
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn,
      name,
      inputJson,
      startDate,
      steps: new StepTracker(this.#clock),
      abort: run.abort,
      status: 'RUNNING',
    };
    this.#executions.set(executionArn, record);
    this.#forgetOldExecutions();
    const drained = record.steps.consume(run.eventLogs);
    record.settled = run.result
      .then(
        (output) => this.#close(record, { status: 'SUCCEEDED', output }),
        (error: unknown) => this.#close(record, this.#failure(record, error)),
      )
      .then(() => drained)
      .then(() => {
        // Still running at the close: cut short by an abort or by a sibling Map iteration's failure.
        record.steps.closeOpenSteps('ABORTED');
        return this.describe(executionArn);
      });
    return { executionArn, result: record.settled };
  }

  /** As DescribeExecution, plus the steps taken so far. */
  describe(executionArn: string): ExecutionDescription {
    const record = this.#get(executionArn);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      input: JSON.parse(record.inputJson),
      steps: record.steps.snapshot(),
      ...(record.stopDate ? { stopDate: record.stopDate } : {}),
      ...(record.output !== undefined ? { output: structuredClone(record.output) } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
    };
  }

  /** Executions newest first, optionally of one state machine or in one status. */
  list(
    filter: { readonly stateMachineName?: string; readonly status?: ExecutionStatus } = {},
  ): ExecutionSummary[] {
    const wantedArn =
      filter.stateMachineName === undefined ? undefined : this.stateMachineArn(filter.stateMachineName);
    return [...this.#executions.values()]
      .filter(
        (r) =>
          (wantedArn === undefined || r.stateMachineArn === wantedArn) &&
          (!filter.status || r.status === filter.status),
      )
      .reverse()
      .map(({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({
        executionArn,
        stateMachineArn,
        name,
        status,
        startDate,
        ...(stopDate ? { stopDate } : {}),
      }));
  }

  /** Settles when the execution closes. */
  whenSettled(executionArn: string): Promise<ExecutionDescription> {
    const record = this.#get(executionArn);
    return record.settled ?? Promise.resolve(this.describe(executionArn));
  }

  /** As StopExecution: a running execution ends ABORTED; a closed one is left as it is. */
  abort(executionArn: string, details: { readonly error?: string; readonly cause?: string } = {}) {
    const record = this.#get(executionArn);
    if (record.status === 'RUNNING') {
      record.stopRequest = details;
      record.abort();
    }
    return this.whenSettled(executionArn);
  }

  #prepare(definition: StateMachineDefinition): Prepared {
    const cached = this.#prepared.get(definition);
    if (cached) return cached;
    try {
      // Validates with the library's own rules; a clone, as asl-validator writes QueryLanguage into states.
      new StateMachine(structuredClone(definition));
    } catch (error) {
      throw new StateMachineDefinitionError(error instanceof Error ? error.message : String(error), {
        cause: error,
      });
    }
    const adapted = adaptForLocalRun(definition, {
      retryIntervalScale: this.#options.retryIntervalScale ?? 0.01,
      defaultTaskTimeoutSeconds: this.#options.defaultTaskTimeoutSeconds ?? 86_400,
    });
    const retryIntervalOverrides: Record<string, number> = {};
    const flat = this.#options.retryIntervalOverride;
    if (flat !== undefined) {
      for (const { name, state } of listStates(adapted)) if (state.Retry) retryIntervalOverrides[name] = flat;
    }
    const prepared: Prepared = {
      machine: new StateMachine(adapted, { validationOptions: { noValidate: true } }),
      stateHandlers: buildStateHandlers(
        adapted,
        this.#options.taskHandlers,
        this.#options.payloadLimitBytes ?? DEFAULT_PAYLOAD_LIMIT_BYTES,
      ),
      retryIntervalOverrides,
    };
    this.#prepared.set(definition, prepared);
    return prepared;
  }

  #failure(record: ExecutionRecord, error: unknown): Pick<ExecutionRecord, 'status' | 'error' | 'cause'> {
    if (error instanceof ExecutionAbortedError) {
      return { status: 'ABORTED', ...record.stopRequest };
    }
    if (error instanceof ExecutionTimeoutError) {
      return {
        status: 'TIMED_OUT',
        error: 'States.Timeout',
        cause: 'The execution ran longer than TimeoutSeconds',
      };
    }
    const failure = error instanceof ExecutionError ? error.cause : error;
    if (failure instanceof Error) {
      return { status: 'FAILED', error: failure.name, cause: failure.message };
    }
    return { status: 'FAILED', error: 'Error', cause: String(failure) };
  }

  #close(
    record: ExecutionRecord,
    outcome: Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>,
  ): void {
    Object.assign(record, outcome);
    record.stopDate = this.#clock.now();
  }

  #get(executionArn: string): ExecutionRecord {
    const record = this.#executions.get(executionArn);
    if (!record) throw new ExecutionDoesNotExistError(`execution ${executionArn} does not exist`);
    return record;
  }

  #forgetOldExecutions(): void {
    const keep = this.#options.retainExecutions ?? 1000;
    let excess = this.#executions.size - keep;
    for (const [arn, record] of this.#executions) {
      if (excess <= 0) break;
      if (record.status !== 'RUNNING') {
        this.#executions.delete(arn);
        excess--;
      }
    }
  }

  #region(): string {
    return this.#options.region ?? 'us-east-1';
  }

  #account(): string {
    return this.#options.accountId ?? '000000000000';
  }
}
