import { type App, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../lambdas/catalogue';
import { MlopsPlatform } from '../../lib/mlops-platform';
import { accessVariants, treeOnlyApp } from './support';

// The platform as a construct in a user's own CDK app: the README's example, synthesized once for the
// file (tree only: cdk-nag and the template need no bundles); the constructor checks build no template.

/** What the README shows: a user's stack that holds the platform among its own things. */
class UserStack extends Stack {
  public readonly mlops: MlopsPlatform;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.mlops = new MlopsPlatform(this, 'Mlops', { stageName: 'dev', removalPolicy: RemovalPolicy.DESTROY });
    new CfnOutput(this, 'MlopsApiUrl', { value: this.mlops.api.url });
  }
}

let app: App;
let template: Template;

beforeAll(() => {
  app = treeOnlyApp();
  const stack = new UserStack(app, 'UserApp');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  template = Template.fromJSON(app.synth().getStackByName(stack.stackName).template);
});

describe('MlopsPlatform in a user stack', () => {
  it('has no unacknowledged cdk-nag AwsSolutions finding, and its synth with the checks passes', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));

    expect(findings).toEqual([]);
    expect(template.findOutputs('MlopsApiUrl')).not.toEqual({});
  });

  it('holds the whole platform: a function per capability and three workflow ones, one table, one API', () => {
    template.resourceCountIs('AWS::Lambda::Function', capabilities.length + 3);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    // Training pipeline, drift job, deployment (Serving).
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: [{ Key: 'mlops:stage', Value: 'dev' }],
    });
  });
});

describe('MlopsPlatform checks its props when it is built', () => {
  it('refuses a catalogue with no monitoring capability, naming the missing one and the known ones', () => {
    const stack = new Stack(treeOnlyApp(), 'NoMonitoring');

    expect(
      () =>
        new MlopsPlatform(stack, 'Mlops', {
          stageName: 'dev',
          capabilities: accessVariants,
          defaultRouteCapability: 'isolated',
        }),
    ).toThrow(
      'MlopsPlatform NoMonitoring/Mlops: monitoringCapability "monitoring" is not in the catalogue (reader, writer, publisher, querier, isolated)',
    );
  });

  it('refuses a second platform in the same stack', () => {
    const stack = new Stack(treeOnlyApp(), 'Twice');
    const variants = {
      stageName: 'dev',
      capabilities: accessVariants,
      defaultRouteCapability: 'isolated',
      monitoringCapability: null,
    };
    new MlopsPlatform(stack, 'One', variants);

    expect(() => new MlopsPlatform(stack, 'Two', { ...variants, stageName: 'two' })).toThrow(
      /Twice already holds an MlopsPlatform/,
    );
  });
});
