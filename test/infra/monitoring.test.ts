import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DRIFT_JOB_DEFINITION, Monitoring } from '../../lib/constructs/monitoring';
import type { MlopsStack } from '../../lib/mlops-stack';
import {
  allowedActionsOf,
  allowedStatementsOf,
  logicalIdOf,
  type Props,
  propertiesIn,
  synthesizeMlopsStack,
  treeOnlyApp,
} from './support';

// Monitoring's CDK side. One synth for the whole file: it bundles every function with esbuild.
let app: App;
let stack: MlopsStack;
let template: Template;

beforeAll(() => {
  ({ app, stack, template } = synthesizeMlopsStack());
});

const propertiesOf = (construct: { node: { defaultChild?: unknown } }): Props =>
  propertiesIn(template, stack, construct);
const getAtt = (construct: { node: { defaultChild?: unknown } }, attribute = 'Arn') => ({
  'Fn::GetAtt': [logicalIdOf(stack, construct), attribute],
});
const roleOf = (fn: { role: { node: { defaultChild?: unknown } } }) => logicalIdOf(stack, fn.role);
const monitoring = () => stack.monitoring;
const apiFunction = () => stack.functions.functionOf('monitoring');

describe('drift job state machine', () => {
  it('is a Standard workflow whose definition is statemachines/drift-job.asl.json, byte for byte', () => {
    const properties = propertiesOf(monitoring().stateMachine);
    const location = properties.DefinitionS3Location as { Key: string };

    expect(properties.StateMachineType).toBe('STANDARD');
    expect(readFileSync(join(app.outdir, `asset.${location.Key}`), 'utf8')).toBe(
      readFileSync(DRIFT_JOB_DEFINITION, 'utf8'),
    );
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
  });

  it('runs the job function and, in a Distributed Map over the bucket listing, the summarise function', () => {
    const definition = JSON.parse(readFileSync(DRIFT_JOB_DEFINITION, 'utf8'));
    const map = definition.States.SummariseShards;

    expect(propertiesOf(monitoring().stateMachine).DefinitionSubstitutions).toEqual({
      JobFunctionArn: getAtt(monitoring().jobFunction.function),
      SummariseFunctionArn: getAtt(monitoring().summariseFunction.function),
      ArtifactBucketName: { Ref: logicalIdOf(stack, stack.artifacts.bucket) },
    });
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemReader.Resource).toBe('arn:aws:states:::s3:listObjectsV2');
  });

  it('may invoke its two functions, list the bucket and run its own child executions, and nothing else', () => {
    const role = logicalIdOf(stack, monitoring().stateMachine.role);
    const statements = allowedStatementsOf(template, role);
    const own = getAtt(monitoring().stateMachine, 'Name');

    expect(statements).toEqual(
      expect.arrayContaining([
        {
          actions: ['lambda:InvokeFunction'],
          resources: [
            getAtt(monitoring().jobFunction.function),
            getAtt(monitoring().summariseFunction.function),
          ],
        },
        { actions: ['s3:ListBucket'], resources: [getAtt(stack.artifacts.bucket)] },
        {
          actions: ['states:StartExecution'],
          resources: [{ Ref: logicalIdOf(stack, monitoring().stateMachine) }],
        },
      ]),
    );
    const children = statements.find((s) => s.actions.includes('states:DescribeExecution'));
    expect(JSON.stringify(children?.resources)).toContain(JSON.stringify(own));
    const actions = allowedActionsOf(template, role).filter(
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
      expect(propertiesOf(fn.function)).toMatchObject({
        MemorySize: 1769,
        Timeout: 300,
        Handler: 'index.handler',
      });
    }
    expect(propertiesOf(monitoring().jobFunction.function).Environment).toMatchObject({
      Variables: { POWERTOOLS_SERVICE_NAME: 'monitoring-job' },
    });
  });

  it('give the summarise function reads of the table and no publishing; the job function publishes', () => {
    const summarise = allowedActionsOf(template, roleOf(monitoring().summariseFunction));
    const job = allowedActionsOf(template, roleOf(monitoring().jobFunction));

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
    const role = logicalIdOf(stack, monitoring().scheduleRole);

    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })],
      },
    });
    expect(allowedStatementsOf(template, role)).toEqual([
      {
        actions: ['states:StartExecution'],
        resources: [{ Ref: logicalIdOf(stack, monitoring().stateMachine) }],
      },
    ]);
  });

  it("let the monitoring API put and delete this stage's rules only, and pass the schedule role to EventBridge", () => {
    const statements = allowedStatementsOf(template, roleOf(apiFunction()));
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
    template.hasResourceProperties('AWS::IAM::Policy', {
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
    const properties = propertiesOf(apiFunction().function);

    expect(properties.Timeout).toBe(29);
    expect((properties.Environment as { Variables: Props }).Variables).toMatchObject({
      MONITOR_RULE_PREFIX: 'mlops-test-',
      MONITOR_STATE_MACHINE_ARN: { Ref: logicalIdOf(stack, monitoring().stateMachine) },
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
      AlarmActions: [{ Ref: logicalIdOf(stack, stack.notifications.topic) }],
    });
  });

  it('may use the platform key, which encrypts the topic', () => {
    const key = propertiesOf(stack.key.key) as { KeyPolicy: { Statement: Props[] } };

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
    const platform = new (stack.constructor as typeof MlopsStack)(app, 'Other', { stageName: 'other' });

    expect(
      () =>
        new Monitoring(platform, 'Bad', {
          encryptionKey: platform.key.key,
          metadata: platform.metadata,
          artifacts: platform.artifacts,
          notifications: platform.notifications,
          events: platform.events,
          rulePrefix: 'a-prefix-far-too-long-for-monitor-names',
        }),
    ).toThrow(/rulePrefix .* must be 1-32/);
  });
});
