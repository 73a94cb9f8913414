import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadMonitoringConfig } from '../../../lambdas/monitoring/config';
import { reasonOfCause } from '../../../lambdas/monitoring/job/steps';
import { metricsOfReport } from '../../../lambdas/monitoring/metrics';
import type { MonitorReport } from '../../../lambdas/monitoring/records';
import { driftJobScheduleRules } from '../../../lambdas/shared/adapters/aws/drift-job-schedule-rules';
import { ValidationError } from '../../../lambdas/shared/errors';

const STATE_MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:drift-job';
const ROLE = 'arn:aws:iam::123456789012:role/monitor-schedules';

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('monitoring in the cloud: EventBridge rules per monitor', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const schedules = () =>
    driftJobScheduleRules({
      rulePrefix: 'mlops-dev-',
      stateMachineArn: STATE_MACHINE,
      roleArn: ROLE,
      client: new EventBridgeClient({}),
    });
  beforeEach(() => {
    eventBridge.reset();
    eventBridge.on(PutRuleCommand).resolves({});
    eventBridge.on(PutTargetsCommand).resolves({ FailedEntryCount: 0 });
  });

  it('puts a rule with the schedule and the state machine as its target, told which monitor to run', async () => {
    await schedules().put('churn-daily', 'cron(0 6 * * ? *)', 'body.schedule');

    expect(eventBridge.commandCalls(PutRuleCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: 'mlops-dev-churn-daily',
        ScheduleExpression: 'cron(0 6 * * ? *)',
        State: 'ENABLED',
        Description: 'Runs monitor churn-daily',
      },
    ]);
    expect(eventBridge.commandCalls(PutTargetsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Rule: 'mlops-dev-churn-daily',
        Targets: [{ Id: 'drift-job', Arn: STATE_MACHINE, RoleArn: ROLE, Input: '{"monitor":"churn-daily"}' }],
      },
    ]);
  });

  it("turns EventBridge's refusal of the expression into a ValidationError naming the field", async () => {
    eventBridge
      .on(PutRuleCommand)
      .rejects(awsError('ValidationException', 'Parameter ScheduleExpression is not valid.'));

    const put = schedules().put('churn-daily', 'rate(0 days)', 'body.schedule');

    await expect(put).rejects.toBeInstanceOf(ValidationError);
    await expect(put).rejects.toMatchObject({ issues: [{ field: 'body.schedule', rule: 'schedule' }] });
    expect(eventBridge.commandCalls(PutTargetsCommand)).toEqual([]);
  });

  it('fails when EventBridge refuses the target', async () => {
    eventBridge.on(PutTargetsCommand).resolves({
      FailedEntryCount: 1,
      FailedEntries: [{ ErrorCode: 'AccessDenied', ErrorMessage: 'no PassRole' }],
    });

    await expect(schedules().put('churn-daily', 'rate(1 day)', 'body.schedule')).rejects.toThrow(
      /AccessDenied no PassRole/,
    );
  });

  it('removes the target, then the rule; a rule already gone is not an error', async () => {
    eventBridge.on(RemoveTargetsCommand).resolves({}).on(DeleteRuleCommand).resolves({});

    await schedules().remove('churn-daily');
    eventBridge
      .on(RemoveTargetsCommand)
      .rejects(awsError('ResourceNotFoundException', 'Rule does not exist.'));
    await schedules().remove('gone');

    expect(eventBridge.commandCalls(RemoveTargetsCommand).map((c) => c.args[0].input)).toEqual([
      { Rule: 'mlops-dev-churn-daily', Ids: ['drift-job'] },
      { Rule: 'mlops-dev-gone', Ids: ['drift-job'] },
    ]);
    expect(eventBridge.commandCalls(DeleteRuleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'mlops-dev-churn-daily' },
    ]);
  });
});

describe('monitoring in the cloud: configuration, failure reasons, metrics', () => {
  it('parses the schedule settings, naming every variable at fault', () => {
    const env = {
      MONITOR_RULE_PREFIX: 'mlops-dev-',
      MONITOR_STATE_MACHINE_ARN: STATE_MACHINE,
      MONITOR_SCHEDULE_ROLE_ARN: ROLE,
    };

    expect(loadMonitoringConfig(env)).toEqual({
      rulePrefix: 'mlops-dev-',
      stateMachineArn: STATE_MACHINE,
      scheduleRoleArn: ROLE,
    });
    expect(() => loadMonitoringConfig({ MONITOR_RULE_PREFIX: 'a b' })).toThrow(
      /MONITOR_RULE_PREFIX.*MONITOR_STATE_MACHINE_ARN.*MONITOR_SCHEDULE_ROLE_ARN/,
    );
  });

  it("shows a monitor error's own message from the Lambda cause, and only the name of any other", () => {
    const cause = (errorType: string, errorMessage: string) =>
      JSON.stringify({ errorType, errorMessage, trace: [] });

    expect(reasonOfCause({ Error: 'MonitorRunError', Cause: cause('MonitorRunError', 'no baseline') })).toBe(
      'MonitorRunError: no baseline',
    );
    expect(reasonOfCause({ Error: 'Error', Cause: cause('Error', 'secret table name') })).toBe(
      'Internal error (Error); see the logs.',
    );
  });

  it('emits DriftDetected without and with the monitor, and each feature’s verdict and score', () => {
    const report = {
      monitor: 'churn-daily',
      dataDrift: {
        dataset: { drift: true, share: 0.5, driftedColumns: ['tenure'] },
        features: {
          tenure: { type: 'numeric', drift: true, method: 'wasserstein', wassersteinNormed: 0.4 },
          plan: { type: 'categorical', drift: false, method: 'chisquare', chiSquarePValue: 0.25 },
        },
      },
      health: { issues: [{}, {}] },
      performance: { verdict: 'insufficient_data' },
    } as unknown as MonitorReport;

    expect(metricsOfReport(report)).toEqual([
      { name: 'DriftDetected', unit: 'Count', value: 1, dimensions: {} },
      { name: 'DriftDetected', unit: 'Count', value: 1, dimensions: { Monitor: 'churn-daily' } },
      {
        name: 'FeatureDrift',
        unit: 'Count',
        value: 1,
        dimensions: { Monitor: 'churn-daily', Feature: 'tenure' },
      },
      {
        name: 'FeatureDriftScore',
        unit: 'None',
        value: 0.4,
        dimensions: { Monitor: 'churn-daily', Feature: 'tenure' },
      },
      {
        name: 'FeatureDrift',
        unit: 'Count',
        value: 0,
        dimensions: { Monitor: 'churn-daily', Feature: 'plan' },
      },
      {
        name: 'FeatureDriftScore',
        unit: 'None',
        value: 0.75,
        dimensions: { Monitor: 'churn-daily', Feature: 'plan' },
      },
      { name: 'HealthIssues', unit: 'Count', value: 2, dimensions: { Monitor: 'churn-daily' } },
    ]);
  });
});
