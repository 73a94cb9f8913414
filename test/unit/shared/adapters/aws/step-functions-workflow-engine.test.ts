import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  StepFunctionsWorkflowEngine,
  stepsFromHistory,
} from '../../../../../lambdas/shared/adapters/aws/step-functions-workflow-engine';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:TrainingPipeline';
const sfn = mockClient(SFNClient);
const engine = () =>
  new StepFunctionsWorkflowEngine({
    stateMachines: { 'training-pipeline': MACHINE },
    client: new SFNClient({}),
  });

const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 12, 0, second));
const event = (type: string, second: number, name?: string): HistoryEvent => ({
  id: second,
  type: type as HistoryEvent['type'],
  timestamp: at(second),
  ...(name && type.endsWith('Entered') ? { stateEnteredEventDetails: { name } } : {}),
  ...(name && type.endsWith('Exited') ? { stateExitedEventDetails: { name } } : {}),
});

beforeEach(() => sfn.reset());

describe('StepFunctionsWorkflowEngine', () => {
  it('starts the workflow under the caller-chosen name with the JSON input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:x`, startDate: at(0) });
    await engine().start('training-pipeline', '01JEXECUTION', { request: { model: 'm' } });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: '01JEXECUTION',
      input: '{"request":{"model":"m"}}',
    });
  });

  it('treats a start of an existing execution as already started (a retried request)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(engine().start('training-pipeline', 'x', {})).resolves.toBeUndefined();
  });

  it('lets other start failures through', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('AccessDenied'));
    await expect(engine().start('training-pipeline', 'x', {})).rejects.toThrow('AccessDenied');
  });

  it('describes an execution by name: status, times, error, cause and the steps from its history', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: 'arn',
      stateMachineArn: MACHINE,
      status: 'FAILED',
      startDate: at(0),
      stopDate: at(9),
      error: 'GateNotMet',
      cause: '{"metrics":{"auc":0.6}}',
    });
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          event('ExecutionStarted', 0),
          event('TaskStateEntered', 1, 'Evaluate'),
          event('TaskScheduled', 1),
          event('TaskSucceeded', 2),
          event('TaskStateExited', 2, 'Evaluate'),
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        events: [
          event('ChoiceStateEntered', 3, 'Gate'),
          event('ChoiceStateExited', 3, 'Gate'),
          event('FailStateEntered', 4, 'Failed'),
          event('ExecutionFailed', 9),
        ],
      });
    const described = await engine().describe('training-pipeline', '01JEXECUTION');
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:TrainingPipeline:01JEXECUTION',
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[1]!.args[0].input.nextToken).toBe('page-2');
    expect(described).toEqual({
      status: 'FAILED',
      startedAt: at(0).toISOString(),
      endedAt: at(9).toISOString(),
      error: 'GateNotMet',
      cause: '{"metrics":{"auc":0.6}}',
      steps: [
        {
          name: 'Evaluate',
          status: 'SUCCEEDED',
          startedAt: at(1).toISOString(),
          endedAt: at(2).toISOString(),
        },
        { name: 'Gate', status: 'SUCCEEDED', startedAt: at(3).toISOString(), endedAt: at(3).toISOString() },
        { name: 'Failed', status: 'FAILED', startedAt: at(4).toISOString(), endedAt: at(9).toISOString() },
      ],
    });
  });

  it('answers undefined for an execution Step Functions does not know', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    await expect(engine().describe('training-pipeline', 'gone')).resolves.toBeUndefined();
  });
});

describe('stepsFromHistory', () => {
  it('a failure followed by a retry does not fail the step; a caught failure does', () => {
    const steps = stepsFromHistory([
      event('TaskStateEntered', 1, 'BuildTrainingSet'),
      event('LambdaFunctionScheduled', 1),
      event('LambdaFunctionFailed', 2),
      event('LambdaFunctionScheduled', 4),
      event('LambdaFunctionSucceeded', 5),
      event('TaskStateExited', 5, 'BuildTrainingSet'),
      event('TaskStateEntered', 6, 'Train'),
      event('TaskScheduled', 6),
      event('TaskFailed', 8),
      event('TaskStateEntered', 8, 'RecordFailure'),
    ]);
    expect(steps.map((s) => [s.name, s.status, s.endedAt])).toEqual([
      ['BuildTrainingSet', 'SUCCEEDED', at(5).toISOString()],
      ['Train', 'FAILED', at(8).toISOString()],
      ['RecordFailure', 'RUNNING', undefined],
    ]);
  });
});
