import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { trainingScheduledEvent } from '../../../../../lambdas/pipelines/trigger-events';
import { EventBridgeScheduleRules } from '../../../../../lambdas/shared/adapters/aws/eventbridge-schedule-rules';

const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:pipelines';

/** The training schedules the pipelines function keeps: rules that invoke the function itself. */
describe('EventBridgeScheduleRules for training schedules', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let invokedArn = FUNCTION;
  const rules = () =>
    new EventBridgeScheduleRules({
      rulePrefix: 'mlops-dev.train-',
      targetId: 'training-pipeline',
      targetArn: () => invokedArn,
      input: trainingScheduledEvent,
      describe: (model) => `Retrains model ${model}`,
      client: new EventBridgeClient({}),
    });
  beforeEach(() => {
    eventBridge.reset();
    eventBridge.on(PutRuleCommand).resolves({});
    eventBridge.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
  });

  it('targets the function as the invocation names it, with no role, and the model in the event', async () => {
    invokedArn = `${FUNCTION}:live`;
    await rules().put('churn', 'rate(1 day)', 'body.schedule');
    expect(eventBridge.commandCalls(PutTargetsCommand)[0]!.args[0].input).toEqual({
      Rule: 'mlops-dev.train-churn',
      Targets: [
        {
          Id: 'training-pipeline',
          Arn: `${FUNCTION}:live`,
          Input: JSON.stringify({
            source: 'mlops.pipelines',
            'detail-type': 'TrainingScheduled',
            detail: { model: 'churn' },
          }),
        },
      ],
    });
  });

  it("keeps rule names within EventBridge's 64 characters, distinct for names that share a beginning", () => {
    const long = 'a'.repeat(100);
    const one = rules().ruleName(`${long}-one`);
    const two = rules().ruleName(`${long}-two`);
    expect(one).toHaveLength(64);
    expect(two).toHaveLength(64);
    expect(one).not.toBe(two);
    expect(one.startsWith('mlops-dev.train-aaaa')).toBe(true);
    expect(rules().ruleName('churn')).toBe('mlops-dev.train-churn');
  });
});
