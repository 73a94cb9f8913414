import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENTS_CAPABILITY } from '../../lib/mlops-platform';
import { MlopsStack } from '../../lib/mlops-stack';
import {
  accessOf,
  accessVariants,
  allowedActionsOf,
  allowedStatementsOf,
  logicalIdOf,
  type Props,
  propertiesIn,
  QUERY_ACTIONS,
  synthesizeMlopsStack,
  treeOnlyApp,
} from './support';

// How the training pipeline is wired into the rest of the stack: what the functions are granted and
// given, the rules that start it again (drift, schedules), and the checks its construct makes while
// the tree is built. One synth for the file; the construct-time checks build tree-only stacks.
let stack: MlopsStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesizeMlopsStack());
});

const propertiesOf = (construct: { node: { defaultChild?: unknown } }): Props =>
  propertiesIn(template, stack, construct);
const getAtt = (construct: { node: { defaultChild?: unknown } }, attribute = 'Arn') => ({
  'Fn::GetAtt': [logicalIdOf(stack, construct), attribute],
});
const pipeline = () => stack.trainingPipeline;
const variablesOf = (construct: { node: { defaultChild?: unknown } }) =>
  (propertiesOf(construct).Environment as { Variables: Props }).Variables;

describe('functions', () => {
  it('give the pipelines API the state machine ARN and StartExecution on it, and follow its executions', () => {
    const fn = stack.functions.functionOf('pipelines');
    const statements = allowedStatementsOf(template, logicalIdOf(stack, fn.role));
    const ref = { Ref: logicalIdOf(stack, pipeline().stateMachine) };
    const follow = statements.filter((s) => s.actions.includes('states:DescribeExecution'));

    expect(accessOf('pipelines').workflows).toBe('start');
    expect(variablesOf(fn).TRAINING_PIPELINE_ARN).toEqual(ref);
    expect(statements).toContainEqual({ actions: ['states:StartExecution'], resources: [ref] });
    expect(follow.flatMap((s) => s.actions).sort()).toEqual([
      'states:DescribeExecution',
      'states:GetExecutionHistory',
    ]);
    expect(JSON.stringify(follow[0]?.resources)).toContain(':execution:');
    expect(JSON.stringify(follow[0]?.resources)).toContain(
      JSON.stringify(getAtt(pipeline().stateMachine, 'Name')),
    );
  });

  it('give no capability without workflow access any states action or the state machine ARN (deployments: StartExecution of its own machine, test/infra/serving.test.ts)', () => {
    const others = [...stack.functions.functions].filter(([name]) => accessOf(name).workflows !== 'start');

    expect(others.length).toBeGreaterThan(0);
    for (const [name, fn] of others) {
      const actions = allowedActionsOf(template, logicalIdOf(stack, fn.role));
      expect(
        actions.filter((a) => a.startsWith('states:')),
        name,
      ).toEqual(name === DEPLOYMENTS_CAPABILITY ? ['states:StartExecution'] : []);
      expect(variablesOf(fn).TRAINING_PIPELINE_ARN, name).toBeUndefined();
    }
  });

  it('give the task function the shared and offline variables, a full vCPU and minutes to run', () => {
    const fn = pipeline().taskFunction;
    const properties = propertiesOf(fn);

    expect(variablesOf(fn)).toMatchObject({
      METADATA_TABLE_NAME: { Ref: logicalIdOf(stack, stack.metadata.table) },
      ARTIFACT_BUCKET_NAME: { Ref: logicalIdOf(stack, stack.artifacts.bucket) },
      NOTIFICATION_TOPIC_ARN: { Ref: logicalIdOf(stack, stack.notifications.topic) },
      EVENT_BUS_NAME: 'default',
      OFFLINE_DATABASE: { Ref: stack.getLogicalId(stack.offlineStore.database) },
      ATHENA_WORKGROUP: { Ref: stack.getLogicalId(stack.offlineStore.workGroup) },
      POWERTOOLS_SERVICE_NAME: 'pipeline-tasks',
    });
    expect(variablesOf(fn).CODE_GIT_SHA).toBeUndefined();
    expect(properties.MemorySize).toBe(1769);
    expect(properties.Timeout).toBe(600);
  });

  it('let the task function read and write the table and bucket, publish, and query the offline store', () => {
    const actions = allowedActionsOf(template, logicalIdOf(stack, pipeline().taskFunction.role));

    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        's3:PutObject',
        'sns:Publish',
        'events:PutEvents',
        ...QUERY_ACTIONS,
      ]),
    );
    expect(actions.filter((a) => /^(states|iam|sagemaker):/.test(a))).toEqual([]);
  });
});

describe('retraining on drift and on schedules', () => {
  it("lets EventBridge invoke the pipelines function from this stage's training-schedule rules only", () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => (p as { Properties: { Principal: string } }).Properties.Principal === 'events.amazonaws.com',
    ) as { Properties: { FunctionName: unknown; SourceArn: unknown } }[];
    const scheduled = permissions.filter((p) => JSON.stringify(p.Properties.SourceArn).includes('.train-'));

    expect(scheduled).toHaveLength(1);
    expect(JSON.stringify(scheduled[0]!.Properties.SourceArn)).toContain(':rule/mlops-test.train-*');
    expect(scheduled[0]!.Properties.FunctionName).toEqual(getAtt(stack.functions.functionOf('pipelines')));
    expect(variablesOf(stack.functions.functionOf('pipelines')).PIPELINE_RULE_PREFIX).toBe(
      'mlops-test.train-',
    );
  });

  it("routes the bus's RetrainingRequested events from monitoring to the pipelines API function", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      JSON.stringify(
        (rule as { Properties: { EventPattern?: unknown } }).Properties.EventPattern ?? null,
      ).includes('RetrainingRequested'),
    ) as { Properties: { EventPattern: unknown; Targets: { Arn: unknown }[] } }[];

    expect(rules).toHaveLength(1);
    expect(rules[0]!.Properties.EventPattern).toEqual({
      source: ['mlops.monitoring'],
      'detail-type': ['RetrainingRequested'],
    });
    expect(rules[0]!.Properties.Targets.map((t) => t.Arn)).toEqual([
      getAtt(stack.functions.functionOf('pipelines')),
    ]);
  });
});

describe('construct-time checks', () => {
  const variantStack = (props: Partial<ConstructorParameters<typeof MlopsStack>[2]> = {}, context = {}) =>
    new MlopsStack(treeOnlyApp({ context }), 'Variant', {
      stageName: 'variant',
      capabilities: accessVariants,
      // The variants have no monitoring capability: the drift job deploys without its API.
      monitoringCapability: null,
      defaultRouteCapability: 'isolated',
      ...props,
    });

  it("names the region's registry account at synth when the stack's region is known", () => {
    const regional = variantStack({ env: { region: 'eu-west-1' } });

    expect(JSON.stringify(regional.resolve(regional.trainingPipeline.trainingImage))).toContain(
      '141502667606.dkr.ecr.eu-west-1.',
    );
  });

  it('refuses a region with no known XGBoost image unless a training image is given', () => {
    expect(() => variantStack({ env: { region: 'xx-nowhere-1' } })).toThrow(/pass trainingImage/);
  });

  it('records the git SHA from the codeGitSha context, and refuses one that is not a SHA', () => {
    const withSha = variantStack({}, { codeGitSha: '0123abc' });
    const environment = withSha.resolve(
      (withSha.trainingPipeline.taskFunction.node.defaultChild as CfnFunction).environment,
    ) as { variables: Props };

    expect(environment.variables.CODE_GIT_SHA).toBe('0123abc');
    expect(() => variantStack({ codeGitSha: 'not a sha' })).toThrow(/codeGitSha/);
  });
});
