import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DRIFT_JOB_DEFINITION, Monitoring } from '../../lib/constructs/monitoring';
import type { MlopsStack } from '../../lib/mlops-stack';
import {
  allowedActionsOf,
  allowedStatementsOf,
  logicalIdOf,
  type Props,
  synthesizedMlopsStack,
  treeOnlyApp,
} from './support';

// Monitoring's CDK side. One synth for the whole file: it bundles every function with esbuild.
const synth = synthesizedMlopsStack();
const { propertiesOf, getAtt } = synth;
const roleOf = (fn: { role: { node: { defaultChild?: unknown } } }) => logicalIdOf(synth.stack, fn.role);
const monitoring = () => synth.stack.monitoring;
const apiFunction = () => synth.stack.functions.functionOf('monitoring');

describe('drift job state machine', () => {
  it('is a Standard workflow whose definition is statemachines/drift-job.asl.json, byte for byte', () => {
    const properties = propertiesOf(monitoring().stateMachine);
    const location = properties.DefinitionS3Location as { Key: string };

    expect(properties.StateMachineType).toBe('STANDARD');
    expect(readFileSync(join(synth.app.outdir, `asset.${location.Key}`), 'utf8')).toBe(
      readFileSync(DRIFT_JOB_DEFINITION, 'utf8'),
    );
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
  });

  it('runs the job function and, in a Distributed Map over the bucket listing, the summarise function', () => {
    const definition = JSON.parse(readFileSync(DRIFT_JOB_DEFINITION, 'utf8'));
    const map = definition.States.SummariseShards;

    expect(propertiesOf(monitoring().stateMachine).DefinitionSubstitutions).toEqual({
      JobFunctionArn: getAtt(monitoring().jobFunction),
      SummariseFunctionArn: getAtt(monitoring().summariseFunction),
      ArtifactBucketName: { Ref: logicalIdOf(synth.stack, synth.stack.artifacts.bucket) },
    });
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemReader.Resource).toBe('arn:aws:states:::s3:listObjectsV2');
  });

  it('may invoke its two functions, list the bucket and run its own child executions, and nothing else', () => {
    const role = logicalIdOf(synth.stack, monitoring().stateMachine.role);
    const statements = allowedStatementsOf(synth.template, role);
    const own = getAtt(monitoring().stateMachine, 'Name');

    expect(statements).toEqual(
      expect.arrayContaining([
        {
          actions: ['lambda:InvokeFunction'],
          resources: [getAtt(monitoring().jobFunction), getAtt(monitoring().summariseFunction)],
        },
        { actions: ['s3:ListBucket'], resources: [getAtt(synth.stack.artifacts.bucket)] },
        {
          actions: ['states:StartExecution'],
          resources: [{ Ref: logicalIdOf(synth.stack, monitoring().stateMachine) }],
        },
      ]),
    );
    const children = statements.find((s) => s.actions.includes('states:DescribeExecution'));
    expect(JSON.stringify(children?.resources)).toContain(JSON.stringify(own));
    const actions = allowedActionsOf(synth.template, role).filter(
      (a) => !a.startsWith('logs:') && !a.startsWith('xray:'),
    );
    expect([...new Set(actions)].sort()).toEqual(
      [
        'lambda:InvokeFunction',
        's3:ListBucket',
        'states:DescribeExecution',
        'states:DescribeMapRun',
        'states:RedriveExecution',
        'states:StartExecution',
        'states:StopExecution',
        'states:UpdateMapRun',
      ].sort(),
    );
  });
});

describe('drift job functions', () => {
  it('run the job handler with a full vCPU and five minutes', () => {
    for (const fn of [monitoring().jobFunction, monitoring().summariseFunction]) {
      expect(propertiesOf(fn)).toMatchObject({
        MemorySize: 1769,
        Timeout: 300,
        Handler: 'index.handler',
      });
    }
    expect(propertiesOf(monitoring().jobFunction).Environment).toMatchObject({
      Variables: { POWERTOOLS_SERVICE_NAME: 'monitoring-job' },
    });
  });

  it('give the summarise function reads of the table and no publishing; the job function publishes', () => {
    const summarise = allowedActionsOf(synth.template, roleOf(monitoring().summariseFunction));
    const job = allowedActionsOf(synth.template, roleOf(monitoring().jobFunction));

    expect(summarise).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 's3:GetObject*']),
    );
    expect(summarise).not.toContain('dynamodb:PutItem');
    expect(summarise).not.toContain('sns:Publish');
    expect(summarise).not.toContain('events:PutEvents');
    expect(job).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'sns:Publish', 'events:PutEvents', 's3:PutObject']),
    );
  });
});

describe('monitor schedules', () => {
  it('let EventBridge start the drift job, and nothing more, through the schedule role', () => {
    const role = logicalIdOf(synth.stack, monitoring().scheduleRole);

    synth.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })],
      },
    });
    expect(allowedStatementsOf(synth.template, role)).toEqual([
      {
        actions: ['states:StartExecution'],
        resources: [{ Ref: logicalIdOf(synth.stack, monitoring().stateMachine) }],
      },
    ]);
  });

  it("let the monitoring API put and delete this stage's rules only, and pass the schedule role to EventBridge", () => {
    const statements = allowedStatementsOf(synth.template, roleOf(apiFunction()));
    const rules = statements.find((s) => s.actions.includes('events:PutRule'));

    expect(rules?.actions.sort()).toEqual(
      [
        'events:DeleteRule',
        'events:DescribeRule',
        'events:PutRule',
        'events:PutTargets',
        'events:RemoveTargets',
      ].sort(),
    );
    expect(JSON.stringify(rules?.resources)).toContain(':rule/mlops-test-*');
    synth.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'iam:PassRole',
            Resource: getAtt(monitoring().scheduleRole),
            Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  it('tell the monitoring API where rules go, and give run-now the API timeout', () => {
    const properties = propertiesOf(apiFunction());

    expect(properties.Timeout).toBe(29);
    expect((properties.Environment as { Variables: Props }).Variables).toMatchObject({
      MONITOR_RULE_PREFIX: 'mlops-test-',
      MONITOR_STATE_MACHINE_ARN: { Ref: logicalIdOf(synth.stack, monitoring().stateMachine) },
      MONITOR_SCHEDULE_ROLE_ARN: getAtt(monitoring().scheduleRole),
    });
  });
});

describe('drift alarm', () => {
  it('fires on DriftDetected from the job function and tells the notification topic', () => {
    expect(propertiesOf(monitoring().driftAlarm)).toMatchObject({
      Namespace: 'MlopsPlatform',
      MetricName: 'DriftDetected',
      Dimensions: [{ Name: 'service', Value: 'monitoring-job' }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: logicalIdOf(synth.stack, synth.stack.notifications.topic) }],
    });
  });

  it('may use the platform key, which encrypts the topic', () => {
    const key = propertiesOf(synth.stack.key.key) as { KeyPolicy: { Statement: Props[] } };

    expect(key.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    );
  });
});

describe('Monitoring construct checks', () => {
  it('refuses a rule prefix EventBridge could not take within 64 characters', () => {
    const app = treeOnlyApp();
    const platform = new (synth.stack.constructor as typeof MlopsStack)(app, 'Other', { stageName: 'other' });

    expect(
      () =>
        new Monitoring(platform, 'Bad', {
          encryptionKey: platform.platform.encryptionKey,
          metadataTable: platform.platform.metadataTable,
          artifactBucket: platform.platform.artifactBucket,
          notificationTopic: platform.platform.notificationTopic,
          eventBus: platform.platform.eventBus,
          rulePrefix: 'a-prefix-far-too-long-for-monitor-names',
        }),
    ).toThrow(/rulePrefix .* must be 1-32/);
  });
});
