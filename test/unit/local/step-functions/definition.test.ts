/**
 * State machine definitions on the local Step Functions runner: placeholders and their substitution,
 * checks before a run, Task resources (Lambda ARNs, service integrations, the payload limit) and the
 * local adaptation of retries and timeouts.
 */
import { describe, expect, it } from 'vitest';
import {
  adaptForLocalRun,
  loadStateMachineDefinition,
  type StateMachineDefinition,
  substituteDefinition,
} from '../../../../local/step-functions/definition';
import { StateMachineDefinitionError } from '../../../../local/step-functions/errors';
import { LocalStepFunctions } from '../../../../local/step-functions/runner';
import { manualClock } from '../../../support/clock';
import { arn, SELFTEST, SUBSTITUTIONS } from '../../../support/step-functions';

describe('state machine definitions on LocalStepFunctions', () => {
  it('refuses a definition with a placeholder that has no substitution, naming it', async () => {
    // Act
    const loading = loadStateMachineDefinition(SELFTEST, { WorkFunctionArn: arn('work') });

    // Assess
    await expect(loading).rejects.toThrow(StateMachineDefinitionError);
    await expect(loading).rejects.toThrow(/\$\{SquareFunctionArn\}, \$\{RecordFailureFunctionArn\}/);
  });

  it('substitutes values literally, even ones holding $& or $1', () => {
    // Act
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template literal
    const definition = substituteDefinition('{"Comment":"${A}","StartAt":"S","States":{}}', { A: 'x$&y$1' });

    // Assess
    expect(definition.Comment).toBe('x$&y$1');
  });

  it('refuses to start when a Task resource has no handler', async () => {
    // Prepare
    const definition = await loadStateMachineDefinition(SELFTEST, SUBSTITUTIONS);
    const sfn = new LocalStepFunctions({
      clock: manualClock(),
      taskHandlers: { [arn('work')]: async () => 1 },
    });

    // Act
    const start = () => sfn.start('SelfTest', definition, {});

    // Assess
    expect(start).toThrow(/no task handler for state\(s\): Square .*square.*, RecordFailure/);
  });

  it('refuses an invalid definition before running it', () => {
    // Prepare
    const sfn = new LocalStepFunctions({ clock: manualClock(), taskHandlers: {} });
    const broken = {
      StartAt: 'Missing',
      States: { Only: { Type: 'Succeed' } },
    } as unknown as StateMachineDefinition;

    // Act
    const start = () => sfn.start('Broken', broken, {});

    // Assess
    expect(start).toThrow(StateMachineDefinitionError);
  });
});

describe('LocalStepFunctions task resources', () => {
  const machine = (resource: string, extra: Record<string, unknown> = {}) =>
    ({
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: resource,
          ...extra,
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', Result: 'caught', End: true },
      },
    }) as unknown as StateMachineDefinition;

  it('calls a plain Lambda ARN resource with the state input and returns its result unwrapped', async () => {
    // Prepare
    const sfn = new LocalStepFunctions({
      clock: manualClock(),
      taskHandlers: { [arn('echo')]: async (input) => ({ got: input }) },
    });

    // Act
    const done = await sfn.start('Plain', machine(arn('echo')), { a: 1 }).result;

    // Assess
    expect(done.output).toEqual({ got: { a: 1 } });
  });

  it('hands a service integration its Parameters and returns its answer as is', async () => {
    // Prepare
    const published: unknown[] = [];
    const sfn = new LocalStepFunctions({
      clock: manualClock(),
      taskHandlers: {
        'arn:aws:states:::sns:publish': async (input) => {
          published.push(input);
          return { MessageId: 'm-1' };
        },
      },
    });
    const definition = machine('arn:aws:states:::sns:publish', {
      Parameters: { TopicArn: 't', 'Message.$': '$.text' },
    });

    // Act
    const done = await sfn.start('Sns', definition, { text: 'hello' }).result;

    // Assess
    expect(published).toEqual([{ TopicArn: 't', Message: 'hello' }]);
    expect(done.output).toEqual({ MessageId: 'm-1' });
  });

  it('ends the execution on a result over the payload limit, which Catch cannot catch', async () => {
    // Prepare
    const sfn = new LocalStepFunctions({
      clock: manualClock(),
      payloadLimitBytes: 1024,
      taskHandlers: { [arn('big')]: async () => 'x'.repeat(2000) },
    });

    // Act
    const done = await sfn.start('Big', machine(arn('big')), {}).result;

    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('States.DataLimitExceeded');
  });
});

describe('adaptForLocalRun', () => {
  it('scales retry intervals and caps but keeps backoff, and gives untimed Tasks a timeout', () => {
    // Prepare
    const definition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: arn('t'),
          Retry: [
            { ErrorEquals: ['A'], BackoffRate: 3, MaxDelaySeconds: 60 },
            { ErrorEquals: ['B'], IntervalSeconds: 5 },
          ],
          End: true,
        },
      },
    } as unknown as StateMachineDefinition;

    // Act
    const adapted = adaptForLocalRun(definition, { retryIntervalScale: 0.5, defaultTaskTimeoutSeconds: 7 });

    // Assess
    expect(adapted.States.T).toMatchObject({
      TimeoutSeconds: 7,
      Retry: [
        { ErrorEquals: ['A'], IntervalSeconds: 0.5, BackoffRate: 3, MaxDelaySeconds: 30 },
        { ErrorEquals: ['B'], IntervalSeconds: 2.5 },
      ],
    });
    expect(definition.States.T).not.toHaveProperty('TimeoutSeconds');
  });
});
