import { join } from 'node:path';
import {
  ArnFormat,
  type CfnElement,
  CfnMapping,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
} from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeWildcards, objectsFindings } from '../nag';
import { PROJECT_ROOT } from '../paths';
import { checkedSubstitutions } from '../state-machine-file';
import { bindSharedResources, type SharedResources, setVariable } from './bindings';
import type { IOfflineStore } from './offline-store';
import { PlatformFunction, type PowertoolsLogLevel } from './platform-function';
import { grantRuleManagement } from './rule-management';

/** The ASL file CDK deploys and the local platform executes (statemachines/, shared by both paths). */
export const TRAINING_PIPELINE_DEFINITION = join(PROJECT_ROOT, 'statemachines/training-pipeline.asl.json');

/**
 * SageMaker's ECR account of the built-in XGBoost 1.7-1 image, by region (the SageMaker Python SDK's
 * image_uri_config/xgboost.json). Other regions need `trainingImage`.
 */
export const XGBOOST_REGISTRIES: Readonly<Record<string, string>> = {
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
  'ca-central-1': '341280168497',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'eu-central-1': '492215442770',
  'eu-north-1': '662702820516',
  'ap-south-1': '720646828776',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'sa-east-1': '737474898029',
};
export const XGBOOST_IMAGE_TAG = 'sagemaker-xgboost:1.7-1';

export interface TrainingPipelineProps extends SharedResources {
  /** The platform key: SageMaker encrypts the model output and the training volume with it. */
  readonly encryptionKey: IKey;
  /** The training set is built with Athena over the offline store. */
  readonly offlineStore: IOfflineStore;
  /**
   * Training image URI.
   * @default - the region's built-in SageMaker XGBoost 1.7-1 image (XGBOOST_REGISTRIES)
   */
  readonly trainingImage?: string;
  /**
   * SageMaker training instance type. It must have no instance storage (no `d` types such as
   * ml.m5d): the definition encrypts the training volume with the platform key, which SageMaker
   * refuses on instance-store volumes.
   * @default 'ml.m5.large'
   */
  readonly trainingInstanceType?: string;
  /**
   * Git SHA of the deployed code, recorded in the lineage of every registered version.
   * @default - none: registered versions carry no code version
   */
  readonly codeGitSha?: string;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Of the task function's and the state machine's log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The training pipeline on Step Functions (Standard): the definition is statemachines/training-pipeline.asl.json
 * with its `${...}` placeholders substituted by CloudFormation; every step but Train invokes ONE task
 * function; Train runs a SageMaker training job through the `.sync` integration under its own role.
 * Executions are logged in full (ALL, with execution data) and traced with X-Ray.
 */
export class TrainingPipeline extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly taskFunction: PlatformFunction;
  public readonly sageMakerRole: Role;
  public readonly logGroup: LogGroup;
  /** The URI of the image Train runs (a token when it comes from the region mapping). */
  public readonly trainingImage: string;

  constructor(scope: Construct, id: string, props: TrainingPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const trainingInstanceType = props.trainingInstanceType ?? 'ml.m5.large';
    validate(id, stack, props, trainingInstanceType);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.taskFunction = new PlatformFunction(this, 'Tasks', {
      entry: 'lambdas/pipelines/tasks/handler.ts',
      serviceName: 'pipeline-tasks',
      description:
        'Steps of the training pipeline (validate, build the training set, evaluate, register, notify)',
      // One full vCPU (1,769 MB): evaluation and baseline profiles are CPU-bound in-process work.
      memorySize: 1769,
      // Building the training set waits for Athena; well under Lambda's 15-minute ceiling.
      timeout: Duration.minutes(10),
      ...(props.logLevel ? { logLevel: props.logLevel } : {}),
      removalPolicy,
    });
    bindSharedResources(props, this.taskFunction, {
      metadata: 'readWrite',
      artifacts: 'readWrite',
      notifications: 'publish',
      events: 'publish',
    });
    props.offlineStore.bindTo(this.taskFunction);
    if (props.codeGitSha) setVariable(this.taskFunction, 'CODE_GIT_SHA', props.codeGitSha);

    this.sageMakerRole = createSageMakerRole(this, props.artifactBucket, props.encryptionKey);
    this.trainingImage = props.trainingImage ?? this.#regionalXgboostImage();

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(TRAINING_PIPELINE_DEFINITION),
      definitionSubstitutions: checkedSubstitutions(`TrainingPipeline ${id}`, TRAINING_PIPELINE_DEFINITION, {
        PipelineTasksFunctionArn: this.taskFunction.functionArn,
        SageMakerRoleArn: this.sageMakerRole.roleArn,
        XgboostImage: this.trainingImage,
        ArtifactKeyArn: props.encryptionKey.keyArn,
        TrainingInstanceType: trainingInstanceType,
      }),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.#grantStateMachine(stack);
  }

  /** Lets a function start executions and follow them: sets TRAINING_PIPELINE_ARN and the states actions. */
  grantStart(fn: LambdaFunction): void {
    setVariable(fn, 'TRAINING_PIPELINE_ARN', this.stateMachine.stateMachineArn);
    this.stateMachine.grantStartExecution(fn);
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [executions],
      }),
    );
    acknowledgeWildcards(
      fn,
      [executionsFinding(this.stateMachine)],
      'Executions of this one state machine: their names (execution ids) are made at run time.',
    );
  }

  /**
   * Lets `fn` (the pipelines API) keep the models' training schedules: one EventBridge rule per model,
   * named `{rulePrefix}{model}`, made at run time and targeting `fn` itself; EventBridge may invoke `fn`
   * from those rules only.
   */
  grantSchedules(fn: LambdaFunction, rulePrefix: string): void {
    if (!Token.isUnresolved(rulePrefix) && !/^[A-Za-z0-9._-]{1,40}$/.test(rulePrefix)) {
      throw new Error(
        `TrainingPipeline.grantSchedules: rulePrefix "${rulePrefix}" must be 1-40 letters, digits, ".", "_" or "-"`,
      );
    }
    setVariable(fn, 'PIPELINE_RULE_PREFIX', rulePrefix);
    const rules = grantRuleManagement(
      fn,
      rulePrefix,
      "The models' training-schedule rules of this stage only: one per model, named by the model when it is scheduled.",
    );
    fn.addPermission('InvokedByTrainingSchedules', {
      principal: new ServicePrincipal('events.amazonaws.com'),
      sourceArn: rules,
      sourceAccount: Stack.of(this).account,
    });
  }

  /** What the state machine's own role needs beyond logging and X-Ray (which CDK adds): nothing else. */
  #grantStateMachine(stack: Stack): void {
    const sageMaker = (resource: string) =>
      stack.formatArn({ service: 'sagemaker', resource, resourceName: '*' });
    const syncRule = (name: string) =>
      stack.formatArn({ service: 'events', resource: 'rule', resourceName: name });
    const statements = [
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.taskFunction.functionArn],
      }),
      // CreateModel and the batch transform that scores the held-out rows (ScoreHeldOut).
      new PolicyStatement({
        actions: ['sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:AddTags'],
        resources: [sageMaker('model')],
      }),
      new PolicyStatement({
        actions: [
          'sagemaker:CreateTransformJob',
          'sagemaker:DescribeTransformJob',
          'sagemaker:StopTransformJob',
          'sagemaker:AddTags',
        ],
        resources: [sageMaker('transform-job')],
      }),
      new PolicyStatement({
        actions: [
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
          'sagemaker:AddTags',
        ],
        resources: [sageMaker('training-job')],
      }),
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.sageMakerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
      // The `.sync` integrations wait on SageMaker's job state events through these managed rules.
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          syncRule('StepFunctionsGetEventsForSageMakerTrainingJobsRule'),
          syncRule('StepFunctionsGetEventsForSageMakerTransformJobsRule'),
        ],
      }),
    ];
    for (const statement of statements) this.stateMachine.addToRolePolicy(statement);

    acknowledgeWildcards(
      this.stateMachine,
      [
        'Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:training-job/*',
        'Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:model/*',
        'Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:transform-job/*',
      ],
      'Training jobs, models and transform jobs of this account and region: each execution names them at run time (model and execution id).',
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for logging and tracing: CloudWatch Logs delivery (logs:*LogDelivery*, resource policies) and X-Ray support no resource-level permissions.',
    });
  }

  /** `{account}.dkr.ecr.{region}.{urlSuffix}/sagemaker-xgboost:1.7-1`, the account from a region mapping. */
  #regionalXgboostImage(): string {
    const registries = new CfnMapping(this, 'XgboostRegistries', {
      mapping: Object.fromEntries(
        Object.entries(XGBOOST_REGISTRIES).map(([region, account]) => [region, { account }]),
      ),
      lazy: true,
    });
    // The stack's region: a literal when the stack names one (the lazy mapping then resolves at synth).
    const { region, urlSuffix } = Stack.of(this);
    const account = registries.findInMap(region, 'account');
    return `${account}.dkr.ecr.${region}.${urlSuffix}/${XGBOOST_IMAGE_TAG}`;
  }
}

/** Where the task function writes an execution's channels and SageMaker its model (lambdas/pipelines/keys.ts). */
export const EXECUTIONS_PREFIX = 'pipelines/executions/';

/**
 * The role SageMaker runs the training job under: read the execution's channels (list and get under
 * EXECUTIONS_PREFIX), write the model there, use the platform key for those objects and the training
 * volume, and write the job's logs. Nothing else: the built-in image lives in SageMaker's own registry.
 */
const createSageMakerRole = (scope: Construct, bucket: IBucket, key: IKey): Role => {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'SageMakerRole', {
    assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
    description: 'Runs the training jobs of the training pipeline',
  });
  const objects = bucket.arnForObjects(`${EXECUTIONS_PREFIX}*`);
  const trainingLogs = stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: '/aws/sagemaker/TrainingJobs',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const statements = [
    new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objects] }),
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': `${EXECUTIONS_PREFIX}*` } },
    }),
    new PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
    }),
    // EBS encrypts the training volume through a grant SageMaker creates on the job's behalf.
    new PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [key.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new PolicyStatement({
      actions: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
      ],
      resources: [trainingLogs, `${trainingLogs}:*`],
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);

  acknowledgeWildcards(
    role,
    objectsFindings(bucket, [EXECUTIONS_PREFIX]),
    'Objects of pipeline executions only: each execution writes its channels and model under its own id, made at run time.',
  );
  acknowledgeWildcards(
    role,
    [
      'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/TrainingJobs:*',
    ],
    "Log streams of SageMaker's one training-job log group: SageMaker names a stream per job and instance at run time.",
  );
  return role;
};

const validate = (id: string, stack: Stack, props: TrainingPipelineProps, instanceType: string): void => {
  const where = `TrainingPipeline ${id}`;
  if (!Token.isUnresolved(instanceType) && !/^ml\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceType)) {
    throw new Error(
      `${where}: trainingInstanceType "${instanceType}" is not a SageMaker instance type (ml.<family>.<size>)`,
    );
  }
  if (props.codeGitSha !== undefined && !/^[0-9a-f]{7,64}$/i.test(props.codeGitSha)) {
    throw new Error(`${where}: codeGitSha "${props.codeGitSha}" is not a git SHA`);
  }
  if (!props.trainingImage && !Token.isUnresolved(stack.region) && !(stack.region in XGBOOST_REGISTRIES)) {
    throw new Error(
      `${where}: no built-in XGBoost image is known for ${stack.region}; pass trainingImage (known: ${Object.keys(XGBOOST_REGISTRIES).join(', ')})`,
    );
  }
};

/** cdk-nag's name for "every execution of this state machine" (Fn::GetAtt and pseudo parameters flattened). */
const executionsFinding = (stateMachine: StateMachine): string => {
  const logicalId = Stack.of(stateMachine).getLogicalId(stateMachine.node.defaultChild as CfnElement);
  return `Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${logicalId}.Name>:*`;
};
