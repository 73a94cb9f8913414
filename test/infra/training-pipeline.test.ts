import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TRAINING_PIPELINE_DEFINITION, XGBOOST_REGISTRIES } from '../../lib/constructs/training-pipeline';
import type { MlopsStack } from '../../lib/mlops-stack';
import { allowedStatementsOf, logicalIdOf, type Props, propertiesIn, synthesizeMlopsStack } from './support';

// The training pipeline's CDK side: its state machine and its two roles. One synth for the whole file
// (it bundles every function). What it grants other functions, the retraining triggers and the
// construct-time checks are in training-pipeline-wiring.test.ts.
let app: App;
let stack: MlopsStack;
let template: Template;

beforeAll(() => {
  ({ app, stack, template } = synthesizeMlopsStack());
});

type RawStatement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Props };
type RawPolicy = { Properties: { Roles: unknown[]; PolicyDocument: { Statement: RawStatement[] } } };

const propertiesOf = (construct: { node: { defaultChild?: unknown } }): Props =>
  propertiesIn(template, stack, construct);
const getAtt = (construct: { node: { defaultChild?: unknown } }, attribute = 'Arn') => ({
  'Fn::GetAtt': [logicalIdOf(stack, construct), attribute],
});
const pipeline = () => stack.trainingPipeline;
/** `${name}` as the ASL file writes it (a function, so no string literal looks like a forgotten template). */
const placeholder = (name: string) => `\${${name}}`;
const definitionText = () => readFileSync(TRAINING_PIPELINE_DEFINITION, 'utf8');
const placeholdersOf = (text: string) => [
  ...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1])),
];
/** Every statement (with its condition) of the policies attached to a role. */
const rawStatementsOf = (roleLogicalId: string): RawStatement[] =>
  Object.values(template.findResources('AWS::IAM::Policy') as Record<string, RawPolicy>)
    .filter((p) =>
      p.Properties.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId })),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
const actionsOf = (statement: RawStatement) => [statement.Action].flat();

describe('training pipeline state machine', () => {
  it('is a Standard workflow whose definition is statemachines/training-pipeline.asl.json, byte for byte', () => {
    const properties = propertiesOf(pipeline().stateMachine);
    const location = properties.DefinitionS3Location as { Key: string };

    expect(properties.StateMachineType).toBe('STANDARD');
    expect(readFileSync(join(app.outdir, `asset.${location.Key}`), 'utf8')).toBe(definitionText());
  });

  it('substitutes every placeholder of the file, leaving no ${ but inside Fn::Sub', () => {
    const substitutions = propertiesOf(pipeline().stateMachine).DefinitionSubstitutions as Props;
    const rendered = definitionText().replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
      name in substitutions ? `<${name}>` : whole,
    );
    const outsideSub = (value: unknown) =>
      JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && 'Fn::Sub' in v ? '<Fn::Sub>' : v));

    expect(placeholdersOf(definitionText()).sort()).toEqual(Object.keys(substitutions).sort());
    expect(rendered).not.toContain('${');
    for (const [name, value] of Object.entries(substitutions))
      expect(outsideSub(value), name).not.toContain('${');
    expect(substitutions).toMatchObject({
      PipelineTasksFunctionArn: getAtt(pipeline().taskFunction),
      SageMakerRoleArn: getAtt(pipeline().sageMakerRole),
      ArtifactKeyArn: getAtt(stack.key.key),
      TrainingInstanceType: 'ml.m5.large',
    });
  });

  it("trains on the region's built-in XGBoost 1.7-1 image, its registry account mapped by region", () => {
    const substitutions = propertiesOf(pipeline().stateMachine).DefinitionSubstitutions as Props;
    const mappings = template.toJSON().Mappings as Record<string, Record<string, { account: string }>>;
    const [registries] = Object.values(mappings).filter((m) => 'us-east-1' in m);
    const image = JSON.stringify(substitutions.XgboostImage);

    expect(registries?.['us-east-1']?.account).toBe('683313688378');
    expect(registries?.['eu-west-1']?.account).toBe('141502667606');
    expect(Object.keys(registries ?? {}).sort()).toEqual(Object.keys(XGBOOST_REGISTRIES).sort());
    expect(image).toContain('"Fn::FindInMap"');
    expect(image).toContain('{"Ref":"AWS::Region"},"account"');
    expect(image).toContain('/sagemaker-xgboost:1.7-1');
  });

  it('asks SageMaker for a network-isolated job on text/csv S3 channels, its output and volume under the platform key', () => {
    const train = JSON.parse(definitionText()).States.Train;

    expect(train.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    expect(train.Parameters).toMatchObject({
      'TrainingJobName.$': '$.build.trainingJobName',
      RoleArn: placeholder('SageMakerRoleArn'),
      AlgorithmSpecification: { TrainingImage: placeholder('XgboostImage'), TrainingInputMode: 'File' },
      'HyperParameters.$': '$.build.hyperparameters',
      OutputDataConfig: { 'S3OutputPath.$': '$.build.outputPath', KmsKeyId: placeholder('ArtifactKeyArn') },
      ResourceConfig: {
        InstanceType: placeholder('TrainingInstanceType'),
        VolumeKmsKeyId: placeholder('ArtifactKeyArn'),
      },
      EnableNetworkIsolation: true,
    });
    expect(train.Parameters.InputDataConfig).toEqual(
      ['train', 'validation'].map((channel) => ({
        ChannelName: channel,
        ContentType: 'text/csv',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            'S3Uri.$': `$.build.channels.${channel}`,
            S3DataDistributionType: 'FullyReplicated',
          },
        },
      })),
    );
  });

  it('logs every execution with its data to its own log group, and traces with X-Ray', () => {
    const properties = propertiesOf(pipeline().stateMachine);

    expect(properties.LoggingConfiguration).toEqual({
      Level: 'ALL',
      IncludeExecutionData: true,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt(pipeline().logGroup) } }],
    });
    expect(properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(propertiesOf(pipeline().logGroup).RetentionInDays).toBe(30);
  });
});

describe('state machine role', () => {
  const role = () => logicalIdOf(stack, pipeline().stateMachine.role);

  it("passes only the SageMaker role to SageMaker; the only other PassRoles are the monitors' rule role, to EventBridge, and the serving endpoint role, to SageMaker", () => {
    const everyPassRole = Object.values(
      template.findResources('AWS::IAM::Policy') as Record<string, RawPolicy>,
    )
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => actionsOf(s).some((a) => a.startsWith('iam:')));

    const sageMaker = {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: getAtt(pipeline().sageMakerRole),
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    };
    const monitorRules = {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: getAtt(stack.monitoring.scheduleRole),
      Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
    };
    const endpointRole = stack.platform.serving?.endpointRole;
    expect(endpointRole).toBeDefined();
    const servingEndpoints = {
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: getAtt(endpointRole!),
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    };
    expect(everyPassRole).toHaveLength(3);
    expect(everyPassRole).toEqual(expect.arrayContaining([sageMaker, monitorRules, servingEndpoints]));
    expect(rawStatementsOf(role())).toContainEqual(sageMaker);
  });

  it('invokes the task function only, and runs training jobs of its own account and region', () => {
    const statements = allowedStatementsOf(template, role());
    const byAction = (action: string) => statements.filter((s) => s.actions.includes(action));
    const trainingJobs = JSON.stringify(byAction('sagemaker:CreateTrainingJob')[0]?.resources);

    expect(byAction('lambda:InvokeFunction')).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: [getAtt(pipeline().taskFunction)] },
    ]);
    expect(byAction('sagemaker:CreateTrainingJob')[0]?.actions.sort()).toEqual([
      'sagemaker:AddTags',
      'sagemaker:CreateTrainingJob',
      'sagemaker:DescribeTrainingJob',
      'sagemaker:StopTrainingJob',
    ]);
    expect(trainingJobs).toContain(':sagemaker:');
    expect(trainingJobs).toContain('{"Ref":"AWS::Region"}');
    expect(trainingJobs).toContain('{"Ref":"AWS::AccountId"}');
    expect(trainingJobs).toContain(':training-job/*');
    expect(JSON.stringify(byAction('events:PutRule'))).toContain(
      ':rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule',
    );
  });

  it('creates models and runs batch transforms of its own account and region (ScoreHeldOut)', () => {
    const statements = allowedStatementsOf(template, role());
    const byAction = (action: string) => statements.filter((s) => s.actions.includes(action));

    expect(byAction('sagemaker:CreateModel')[0]?.actions.sort()).toEqual([
      'sagemaker:AddTags',
      'sagemaker:CreateModel',
      'sagemaker:DescribeModel',
    ]);
    expect(JSON.stringify(byAction('sagemaker:CreateModel')[0]?.resources)).toContain(':model/*');
    expect(byAction('sagemaker:CreateTransformJob')[0]?.actions.sort()).toEqual([
      'sagemaker:AddTags',
      'sagemaker:CreateTransformJob',
      'sagemaker:DescribeTransformJob',
      'sagemaker:StopTransformJob',
    ]);
    expect(JSON.stringify(byAction('sagemaker:CreateTransformJob')[0]?.resources)).toContain(
      ':transform-job/*',
    );
    expect(JSON.stringify(byAction('events:PutRule'))).toContain(
      ':rule/StepFunctionsGetEventsForSageMakerTransformJobsRule',
    );
  });

  it('is granted nothing on every resource but log delivery and X-Ray', () => {
    const onEverything = allowedStatementsOf(template, role())
      .filter((s) => s.resources.includes('*'))
      .flatMap((s) => s.actions);

    expect(onEverything.length).toBeGreaterThan(0);
    expect(onEverything.filter((a) => !/^(logs|xray):/.test(a))).toEqual([]);
  });
});

describe('SageMaker role', () => {
  const role = () => logicalIdOf(stack, pipeline().sageMakerRole);

  it('trusts sagemaker.amazonaws.com only, with no managed policies', () => {
    const properties = propertiesOf(pipeline().sageMakerRole);

    expect(properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } },
      ],
    });
    expect(properties.ManagedPolicyArns).toBeUndefined();
  });

  it('reads and writes objects under pipelines/executions/ only, and lists no other prefix', () => {
    const statements = rawStatementsOf(role()).filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    const objects = { 'Fn::Join': ['', [getAtt(stack.artifacts.bucket), '/pipelines/executions/*']] };

    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: getAtt(stack.artifacts.bucket),
        Condition: { StringLike: { 's3:prefix': 'pipelines/executions/*' } },
      },
    ]);
  });

  it('uses the platform key and writes the training-job logs, and may do nothing else', () => {
    const statements = allowedStatementsOf(template, role());
    const services = new Set(statements.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
    const kms = statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')));
    const logs = statements.filter((s) => s.actions.some((a) => a.startsWith('logs:')));

    expect([...services].sort()).toEqual(['kms', 'logs', 's3']);
    for (const statement of kms) expect(statement.resources).toEqual([getAtt(stack.key.key)]);
    expect(JSON.stringify(logs)).toContain(':log-group:/aws/sagemaker/TrainingJobs');
    expect(statements.flatMap((s) => s.resources)).not.toContain('*');
  });
});
