/**
 * The local Step Functions runner's executions on statemachines/selftest.asl.json: results, Map order,
 * Choice, retries, Catch, describe, abort, names and listing. Loading, substituting and adapting a
 * definition, and Task resources, are in step-functions-definition.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../lambdas/shared/errors';
import {
  loadStateMachineDefinition,
  type StateMachineDefinition,
} from '../../../../local/step-functions/definition';
import {
  ExecutionAlreadyExistsError,
  ExecutionDoesNotExistError,
} from '../../../../local/step-functions/errors';
import { LocalStepFunctions, type LocalStepFunctionsOptions } from '../../../../local/step-functions/runner';
import { manualClock } from '../../../support/clock';
import { arn, SELFTEST, SUBSTITUTIONS } from '../../../support/step-functions';

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

/** The selftest machine with recording handlers; `work` fails as `mode` asks. */
async function selftest(overrides: Partial<LocalStepFunctionsOptions> = {}) {
  const definition = await loadStateMachineDefinition(SELFTEST, SUBSTITUTIONS);
  const calls = { work: [] as unknown[], workAt: [] as number[], recorded: [] as unknown[] };
  const sfn = new LocalStepFunctions({
    clock: manualClock(),
    retryIntervalOverride: 0,
    taskHandlers: {
      [arn('work')]: async (payload) => {
        calls.work.push(payload);
        calls.workAt.push(performance.now());
        const { mode } = payload as { mode: string };
        if (mode === 'flaky' && calls.work.length <= 2) throw namedError('TransientError', 'try again');
        if (mode === 'fail') throw namedError('PermanentError', 'the data is unusable');
        return { mode };
      },
      // Later items finish first, so an in-order result proves the Map orders by index, not by completion.
      [arn('square')]: async (n) => {
        await new Promise((resolve) => setTimeout(resolve, 40 - 10 * Number(n)));
        return Number(n) * Number(n);
      },
      [arn('record-failure')]: async (error) => {
        calls.recorded.push(error);
        return 'recorded';
      },
    },
    ...overrides,
  });
  return { sfn, definition, calls };
}

describe('LocalStepFunctions on statemachines/selftest.asl.json', () => {
  it('runs the happy path to SUCCEEDED with the Task result, the Map results and the execution name', async () => {
    // Prepare
    const { sfn, definition } = await selftest();

    // Act
    const { result } = sfn.start('SelfTest', definition, { mode: 'ok', items: [1, 2, 3] }, { name: 'run-1' });
    const done = await result;

    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(done.output).toEqual({
      mode: 'ok',
      items: [1, 2, 3],
      work: { value: { mode: 'ok' } },
      squares: [1, 4, 9],
    });
    expect(done.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:SelfTest:run-1');
    expect(done.stopDate).toBeInstanceOf(Date);
  });

  it('passes $$.Execution.Name to the task', async () => {
    // Prepare
    const { sfn, definition, calls } = await selftest();

    // Act
    await sfn.start('SelfTest', definition, { mode: 'ok' }, { name: 'named-run' }).result;

    // Assess
    expect(calls.work).toEqual([{ mode: 'ok', executionName: 'named-run' }]);
  });

  it('keeps Map results in item order although later items finish first', async () => {
    // Prepare
    const { sfn, definition } = await selftest();

    // Act
    const done = await sfn.start('SelfTest', definition, { mode: 'ok', items: [1, 2, 3, 4] }).result;

    // Assess
    expect((done.output as { squares: number[] }).squares).toEqual([1, 4, 9, 16]);
    const iterations = done.steps.filter((s) => s.name === 'Square');
    expect(iterations.map((s) => [s.iteration, s.status])).toEqual(
      expect.arrayContaining([0, 1, 2, 3].map((i) => [i, 'SUCCEEDED'])),
    );
  });

  it('takes the Choice default when there are no items', async () => {
    // Prepare
    const { sfn, definition } = await selftest();

    // Act
    const done = await sfn.start('SelfTest', definition, { mode: 'ok' }).result;

    // Assess
    expect(done.steps.map((s) => s.name)).toEqual(['Work', 'HasItems', 'Done']);
  });

  it('retries a TransientError and succeeds on the third call', async () => {
    // Prepare
    const { sfn, definition, calls } = await selftest();

    // Act
    const done = await sfn.start('SelfTest', definition, { mode: 'flaky' }).result;

    // Assess
    expect(done.status).toBe('SUCCEEDED');
    expect(calls.work).toHaveLength(3);
    expect(done.steps[0]).toMatchObject({ name: 'Work', status: 'SUCCEEDED', attempts: 3 });
    expect(done.steps[0]).not.toHaveProperty('error');
  });

  it('keeps the backoff shape when retry pauses are only scaled down', async () => {
    // Prepare: the default scale, 0.01: IntervalSeconds 1 and BackoffRate 2 wait 10 ms, then 20 ms.
    const { sfn, definition, calls } = await selftest({ retryIntervalOverride: undefined });

    // Act
    await sfn.start('SelfTest', definition, { mode: 'flaky' }).result;

    // Assess (lower bounds only: timers never fire early, but may fire late on a busy machine)
    const [first = 0, second = 0, third = 0] = calls.workAt;
    expect(second - first).toBeGreaterThanOrEqual(9);
    expect(third - second).toBeGreaterThanOrEqual(19);
  });

  it('routes a permanent error through Catch to the handler and the Fail state, with error and cause', async () => {
    // Prepare
    const { sfn, definition, calls } = await selftest();

    // Act
    const done = await sfn.start('SelfTest', definition, { mode: 'fail' }).result;

    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('PermanentError');
    expect(JSON.parse(done.cause ?? '{}')).toMatchObject({
      errorType: 'PermanentError',
      errorMessage: 'the data is unusable',
    });
    expect(calls.work).toHaveLength(1);
    expect(calls.recorded).toEqual([{ Error: 'PermanentError', Cause: done.cause }]);
    expect(done.steps.map((s) => [s.name, s.status])).toEqual([
      ['Work', 'CAUGHT'],
      ['RecordFailure', 'SUCCEEDED'],
      ['Failed', 'FAILED'],
    ]);
  });

  it('reports a running execution and its running step through describe()', async () => {
    // Prepare
    const gate = deferred();
    const entered = deferred();
    const definition = await loadStateMachineDefinition(SELFTEST, SUBSTITUTIONS);
    const sfn = new LocalStepFunctions({
      clock: manualClock('2026-01-02T03:04:05.000Z'),
      taskHandlers: {
        [arn('work')]: async () => {
          entered.release();
          await gate.promise;
          return 'ok';
        },
        [arn('square')]: async () => 0,
        [arn('record-failure')]: async () => null,
      },
    });

    // Act
    const { executionArn, result } = sfn.start('SelfTest', definition, { mode: 'ok' });
    await entered.promise;
    // The event log is read asynchronously: let it catch up, as any HTTP request in between would.
    await new Promise((resolve) => setImmediate(resolve));
    const running = sfn.describe(executionArn);
    gate.release();
    await result;

    // Assess
    expect(running.status).toBe('RUNNING');
    expect(running.startDate).toEqual(new Date('2026-01-02T03:04:05Z'));
    expect(running.stopDate).toBeUndefined();
    expect(running.steps).toEqual([
      {
        name: 'Work',
        type: 'Task',
        status: 'RUNNING',
        startedAt: new Date('2026-01-02T03:04:05Z'),
        attempts: 1,
      },
    ]);
    expect(sfn.describe(executionArn).status).toBe('SUCCEEDED');
  });

  it('aborts a running execution, marking the interrupted step ABORTED', async () => {
    // Prepare
    const entered = deferred();
    const definition = await loadStateMachineDefinition(SELFTEST, SUBSTITUTIONS);
    const sfn = new LocalStepFunctions({
      clock: manualClock(),
      taskHandlers: {
        [arn('work')]: async () => {
          entered.release();
          return new Promise(() => {});
        },
        [arn('square')]: async () => 0,
        [arn('record-failure')]: async () => null,
      },
    });
    const { executionArn } = sfn.start('SelfTest', definition, { mode: 'ok' });
    await entered.promise;

    // Act
    const aborted = await sfn.abort(executionArn, { error: 'UserCancelled', cause: 'stopped from the CLI' });

    // Assess
    expect(aborted).toMatchObject({
      status: 'ABORTED',
      error: 'UserCancelled',
      cause: 'stopped from the CLI',
    });
    expect(aborted.steps).toMatchObject([{ name: 'Work', status: 'ABORTED' }]);
  });

  it('refuses an execution name Step Functions would refuse', async () => {
    // Prepare
    const { sfn, definition } = await selftest();

    // Act
    const start = (name: string) => () => sfn.start('SelfTest', definition, { mode: 'ok' }, { name });

    // Assess
    expect(start('has space')).toThrow(ValidationError);
    expect(start('a/b')).toThrow(ValidationError);
    expect(start('tab\there')).toThrow(ValidationError);
    expect(start('x'.repeat(81))).toThrow(ValidationError);
  });

  it('returns the running execution for a repeated name and input, and refuses other input', async () => {
    // Prepare
    const { sfn, definition } = await selftest();
    const first = sfn.start('SelfTest', definition, { mode: 'ok' }, { name: 'once' });

    // Act
    const again = sfn.start('SelfTest', definition, { mode: 'ok' }, { name: 'once' });
    const other = () => sfn.start('SelfTest', definition, { mode: 'fail' }, { name: 'once' });

    // Assess
    expect(again.executionArn).toBe(first.executionArn);
    expect(other).toThrow(ExecutionAlreadyExistsError);
    await first.result;
  });

  it('lists executions newest first and describes only known ones', async () => {
    // Prepare
    const { sfn, definition } = await selftest();
    await sfn.start('SelfTest', definition, { mode: 'ok' }, { name: 'a' }).result;
    await sfn.start('SelfTest', definition, { mode: 'fail' }, { name: 'b' }).result;

    // Act
    const listed = sfn.list({ stateMachineName: 'SelfTest' });

    // Assess
    expect(listed.map((e) => [e.name, e.status])).toEqual([
      ['b', 'FAILED'],
      ['a', 'SUCCEEDED'],
    ]);
    expect(() => sfn.describe(`${listed[0]?.executionArn}-nope`)).toThrow(ExecutionDoesNotExistError);
  });
});

describe('LocalStepFunctions time', () => {
  it('gives $$.Execution.StartTime from its clock, as the execution start date, not the wall clock', async () => {
    // Prepare
    const clock = manualClock('2031-05-06T07:08:09.000Z');
    const sfn = new LocalStepFunctions({ clock, taskHandlers: {} });
    const definition = {
      StartAt: 'Stamp',
      States: {
        Stamp: {
          Type: 'Pass',
          Parameters: {
            'started.$': '$$.Execution.StartTime',
            nested: { 'again.$': '$$.Execution.StartTime' },
          },
          End: true,
        },
      },
    } as unknown as StateMachineDefinition;

    // Act
    const execution = await sfn.start('Clocked', definition, {}).result;

    // Assess
    expect(execution.output).toEqual({
      started: '2031-05-06T07:08:09.000Z',
      nested: { again: '2031-05-06T07:08:09.000Z' },
    });
    expect(execution.startDate).toEqual(clock.now());
  });
});
