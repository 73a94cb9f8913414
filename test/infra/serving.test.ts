import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYMENT_DEFINITION, ENDPOINT_CAPTURES_PREFIX, Serving } from '../../lib/constructs/serving';
import { MlopsStack } from '../../lib/mlops-stack';
import { allowedStatementsOf, logicalIdOf, type Props, treeOnlyApp } from './support';

// Serving's CDK side: the deployment state machine, the endpoint role, what the deployments function
// may do, and its sizing. One tree-only synth for the file (IAM and properties, not bundles).
let stack: MlopsStack;
let template: Template;
let serving: Serving;

beforeAll(() => {
  const app = treeOnlyApp();
  stack = new MlopsStack(app, 'Platform', { stageName: 'test' });
  template = Template.fromStack(stack);
  const found = stack.platform.serving;
  if (!found) throw new Error('the platform has no Serving construct');
  serving = found;
});

const idOf = (construct: { node: { defaultChild?: unknown } }) => logicalIdOf(stack, construct);
const propertiesOf = (construct: { node: { defaultChild?: unknown } }): Props =>
  template.toJSON().Resources[idOf(construct)].Properties;
const deploymentsFunction = () => stack.functions.functionOf('deployments');
const statementsOf = (role: { node: { defaultChild?: unknown } }) =>
  allowedStatementsOf(template, idOf(role));
const resourcesFor = (role: { node: { defaultChild?: unknown } }, action: string) =>
  statementsOf(role)
    .filter((s) => s.actions.includes(action))
    .flatMap((s) => s.resources);
const json = (value: unknown) => JSON.stringify(value);
/** An Fn::Join of a SageMaker ARN, flattened to its literal parts. */
const literal = (value: unknown): string =>
  json(value)
    .replace(/\{"Ref":"AWS::(Partition|Region|AccountId)"\}/g, '<$1>')
    .replace(/"Fn::Join":|[{}[\]"]|,/g, '');

describe('deployment state machine', () => {
  it('is a Standard workflow from statemachines/deployment.asl.json with every placeholder substituted', () => {
    const properties = propertiesOf(serving.stateMachine);
    const substitutions = properties.DefinitionSubstitutions as Props;
    const placeholders = [
      ...new Set(
        [...readFileSync(DEPLOYMENT_DEFINITION, 'utf8').matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]),
      ),
    ];

    expect(properties.StateMachineType).toBe('STANDARD');
    expect(Object.keys(substitutions).sort()).toEqual([...placeholders].sort());
    expect(substitutions.EndpointRoleArn).toEqual({ 'Fn::GetAtt': [idOf(serving.endpointRole), 'Arn'] });
    expect(substitutions.DeploymentsFunctionArn).toEqual({
      'Fn::GetAtt': [idOf(deploymentsFunction()), 'Arn'],
    });
    expect(json(substitutions.CaptureDestinationUri)).toContain(ENDPOINT_CAPTURES_PREFIX.slice(0, -1));
  });

  it('serves with the image the training pipeline trains with (the region’s XGBoost 1.7-1)', () => {
    const image = (propertiesOf(serving.stateMachine).DefinitionSubstitutions as Props).XgboostImage;

    expect(image).toEqual(
      (propertiesOf(stack.trainingPipeline.stateMachine).DefinitionSubstitutions as Props).XgboostImage,
    );
    expect(json(image)).toContain('sagemaker-xgboost:1.7-1');
  });

  it('may call SageMaker on the stage’s names only, and pass the endpoint role only, to SageMaker only', () => {
    const role = serving.stateMachine.role;
    const sageMakerResources = statementsOf(role)
      .filter((s) => s.actions.some((a) => a.startsWith('sagemaker:')))
      .flatMap((s) => s.resources)
      .map(literal);
    const passRole = template
      .toJSON()
      .Resources[
        Object.keys(template.findResources('AWS::IAM::Policy')).find((id) =>
          json(template.toJSON().Resources[id].Properties.Roles).includes(idOf(role)),
        ) as string
      ].Properties.PolicyDocument.Statement.filter((s: { Action: unknown }) =>
        json(s.Action).includes('iam:PassRole'),
      );

    expect(new Set(sageMakerResources)).toEqual(
      new Set([
        'arn:<Partition>:sagemaker:<Region>:<AccountId>:model/mlops-test-*',
        'arn:<Partition>:sagemaker:<Region>:<AccountId>:endpoint-config/mlops-test-*',
        'arn:<Partition>:sagemaker:<Region>:<AccountId>:endpoint/mlops-test-*',
      ]),
    );
    expect(passRole).toEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [idOf(serving.endpointRole), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
    ]);
    expect(resourcesFor(role, 'lambda:InvokeFunction')).toEqual([
      { 'Fn::GetAtt': [idOf(deploymentsFunction()), 'Arn'] },
    ]);
    expect(resourcesFor(role, 'sagemaker:CreateTrainingJob')).toEqual([]);
  });
});

describe('endpoint role', () => {
  it('is assumed by SageMaker and reads only model artifacts, writes only endpoint captures', () => {
    const role = serving.endpointRole;
    const s3 = statementsOf(role).filter((s) => s.actions.some((a) => a.startsWith('s3:')));

    expect(json(propertiesOf(role).AssumeRolePolicyDocument)).toContain('sagemaker.amazonaws.com');
    expect(s3.map((s) => s.actions)).toEqual([['s3:GetObject'], ['s3:PutObject']]);
    expect(literal(s3[0]?.resources)).toMatch(/\/pipelines\/executions\/\*\/model\/\*$/);
    expect(literal(s3[1]?.resources)).toMatch(/\/captures\/_endpoints\/\*$/);
    expect(statementsOf(role).flatMap((s) => s.actions)).not.toContain('s3:ListBucket');
    expect(statementsOf(role).flatMap((s) => s.actions)).not.toContain('s3:DeleteObject');
  });
});

describe('deployments function', () => {
  it('may invoke the stage’s endpoints only', () => {
    expect(resourcesFor(deploymentsFunction().role, 'sagemaker:InvokeEndpoint').map(literal)).toEqual([
      'arn:<Partition>:sagemaker:<Region>:<AccountId>:endpoint/mlops-test-*',
    ]);
  });

  it('is told the deployment state machine and may start executions of that machine only, without a cycle', () => {
    const environment = (propertiesOf(deploymentsFunction()).Environment as Props).Variables as Props;
    const starts = statementsOf(deploymentsFunction().role).filter((s) =>
      s.actions.includes('states:StartExecution'),
    );

    expect(propertiesOf(serving.stateMachine).StateMachineName).toBe('mlops-test-deployment');
    expect(literal(environment.DEPLOYMENT_STATE_MACHINE_ARN)).toBe(
      'arn:<Partition>:states:<Region>:<AccountId>:stateMachine:mlops-test-deployment',
    );
    expect(environment.ENDPOINT_PREFIX).toBe('mlops-test-');
    expect(starts.map((s) => s.actions)).toEqual([['states:StartExecution']]);
    expect(starts.flatMap((s) => s.resources)).toEqual([environment.DEPLOYMENT_STATE_MACHINE_ARN]);
    // The machine depends on the function (it calls it); nothing of the function refers to the machine
    // (a Ref would be a cycle, which Template.fromStack in beforeAll refuses).
    const functionSide = json([environment, statementsOf(deploymentsFunction().role)]);
    expect(functionSide).not.toContain(idOf(serving.stateMachine));
  });

  it('may be invoked by the state machine for its tasks, and publish the deployments’ notifications', () => {
    const publish = resourcesFor(deploymentsFunction().role, 'sns:Publish');

    expect(resourcesFor(serving.stateMachine.role, 'lambda:InvokeFunction')).toEqual([
      { 'Fn::GetAtt': [idOf(deploymentsFunction()), 'Arn'] },
    ]);
    expect(publish).toEqual([{ Ref: idOf(stack.platform.notificationTopic) }]);
  });

  it('has a full vCPU, a timeout within API Gateway’s 30 s and reserved concurrency for invocations', () => {
    const properties = propertiesOf(deploymentsFunction());

    expect(properties.MemorySize).toBe(1769);
    expect(properties.Timeout).toBe(29);
    expect(properties.ReservedConcurrentExecutions).toBe(50);
    expect(propertiesOf(stack.functions.functionOf('registry')).ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged on the serving resources and the deployments function', () => {
    const findings = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
      );

    expect(findings).toEqual([]);
  });
});

describe('Serving construct checks', () => {
  it('refuses an endpoint prefix SageMaker names cannot start with', () => {
    const other = new Stack(treeOnlyApp(), 'Other');
    const make = () =>
      new Serving(other, 'Serving', {
        artifactBucket: stack.platform.artifactBucket,
        encryptionKey: stack.platform.encryptionKey,
        deploymentsFunction: deploymentsFunction(),
        endpointPrefix: '_bad prefix',
        image: 'image',
      });

    expect(make).toThrow(/endpointPrefix "_bad prefix"/);
  });
});
