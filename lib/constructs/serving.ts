import { join } from 'node:path';
import { ArnFormat, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
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
import { bindStateMachineStart, setVariable } from './bindings';
import { EXECUTIONS_PREFIX } from './training-pipeline';

/** The ASL file CDK deploys (statemachines/, the same file the local runner executes in the tests). */
export const DEPLOYMENT_DEFINITION = join(PROJECT_ROOT, 'statemachines/deployment.asl.json');

/**
 * Where SageMaker writes endpoint data capture: `{prefix}{endpoint}/{variant}/yyyy/mm/dd/hh/*.jsonl`. Under
 * the platform's captures/ folder, beside monitoring's `captures/{model}/`: no model name starts with `_`.
 */
export const ENDPOINT_CAPTURES_PREFIX = 'captures/_endpoints/';

/** Model artifacts SageMaker training writes: `pipelines/executions/{id}/model/{job}/output/model.tar.gz`. */
export const MODEL_ARTIFACTS_PATTERN = `${EXECUTIONS_PREFIX}*/model/`;

export interface ServingProps {
  /** The artifact bucket: model artifacts are read from it, captures written to it. */
  readonly artifactBucket: IBucket;
  /** The platform key: artifacts, captures and the endpoints' volumes are encrypted with it. */
  readonly encryptionKey: IKey;
  /** The deployments capability's function: it evaluates steps, records, notifies, and invokes endpoints. */
  readonly deploymentsFunction: LambdaFunction;
  /**
   * Names of the platform's SageMaker models, endpoint configs and endpoints start with it
   * (`mlops-{stage}-`); every SageMaker permission is limited to those names.
   */
  readonly endpointPrefix: string;
  /** The serving image: the one the training pipeline trains with (built-in XGBoost 1.7-1 of the region). */
  readonly image: string;
  /** Of the state machine's log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Serving on SageMaker real-time endpoints: the deployment state machine (statemachines/deployment.asl.json
 * with its `${...}` placeholders substituted), the role the endpoints run under (read the model artifacts,
 * write captures, nothing else) and the deployments function's right to invoke the platform's endpoints.
 */
export class Serving extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly endpointRole: Role;
  public readonly logGroup: LogGroup;
  public readonly endpointPrefix: string;

  constructor(scope: Construct, id: string, props: ServingProps) {
    super(scope, id);
    validate(id, props.endpointPrefix);
    this.endpointPrefix = props.endpointPrefix;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.endpointRole = createEndpointRole(this, props);
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      // Named, so the deployments function it calls can be told its ARN without a Ref (a cycle).
      stateMachineName: this.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(DEPLOYMENT_DEFINITION),
      definitionSubstitutions: checkedSubstitutions(`Serving ${id}`, DEPLOYMENT_DEFINITION, {
        DeploymentsFunctionArn: props.deploymentsFunction.functionArn,
        EndpointRoleArn: this.endpointRole.roleArn,
        XgboostImage: props.image,
        CaptureDestinationUri: props.artifactBucket.s3UrlForObject(ENDPOINT_CAPTURES_PREFIX.slice(0, -1)),
        ArtifactKeyArn: props.encryptionKey.keyArn,
      }),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.#grantStateMachine(props);
    this.#grantInvoke(props.deploymentsFunction);
    this.#bindStart(props.deploymentsFunction);
  }

  /** The state machine's name: `{endpointPrefix}deployment` (one per stage). */
  get stateMachineName(): string {
    return `${this.endpointPrefix}deployment`;
  }

  /**
   * The deployments function starts deployments on this machine: DEPLOYMENT_STATE_MACHINE_ARN (formatted
   * from the name: the machine already depends on the function it calls) with states:StartExecution
   * on it alone, and ENDPOINT_PREFIX (the SageMaker names of the platform's endpoints).
   */
  #bindStart(fn: LambdaFunction): void {
    const arn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: this.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    bindStateMachineStart(arn, fn, 'DEPLOYMENT_STATE_MACHINE_ARN');
    setVariable(fn, 'ENDPOINT_PREFIX', this.endpointPrefix);
  }

  /** `arn:...:sagemaker:{region}:{account}:{resource}/{prefix}*` (SageMaker lower-cases names in ARNs). */
  #named(resource: 'model' | 'endpoint-config' | 'endpoint'): string {
    return Stack.of(this).formatArn({
      service: 'sagemaker',
      resource,
      resourceName: `${this.endpointPrefix.toLowerCase()}*`,
    });
  }

  #findings(resources: readonly ('model' | 'endpoint-config' | 'endpoint')[]): string[] {
    return resources.map(
      (resource) =>
        `Resource::arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${resource}/${this.endpointPrefix.toLowerCase()}*`,
    );
  }

  /** The control-plane calls of the definition, on the platform's names only; PassRole of the endpoint role only. */
  #grantStateMachine(props: ServingProps): void {
    const statements = [
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.deploymentsFunction.functionArn],
      }),
      new PolicyStatement({
        actions: ['sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:AddTags'],
        resources: [this.#named('model')],
      }),
      new PolicyStatement({
        actions: ['sagemaker:CreateEndpointConfig', 'sagemaker:DescribeEndpointConfig', 'sagemaker:AddTags'],
        resources: [this.#named('endpoint-config')],
      }),
      // UpdateEndpoint is authorized on the endpoint and on the config it moves to.
      new PolicyStatement({
        actions: [
          'sagemaker:CreateEndpoint',
          'sagemaker:UpdateEndpoint',
          'sagemaker:DescribeEndpoint',
          'sagemaker:UpdateEndpointWeightsAndCapacities',
          'sagemaker:AddTags',
        ],
        resources: [this.#named('endpoint'), this.#named('endpoint-config')],
      }),
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.endpointRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
      // The endpoint config's KmsKeyId: SageMaker encrypts the instances' volumes through a grant.
      new PolicyStatement({
        actions: ['kms:CreateGrant', 'kms:DescribeKey'],
        resources: [props.encryptionKey.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ];
    for (const statement of statements) this.stateMachine.addToRolePolicy(statement);
    acknowledgeWildcards(
      this.stateMachine,
      this.#findings(['model', 'endpoint-config', 'endpoint']),
      "The platform's own SageMaker models, endpoint configs and endpoints (name prefix of this stage): each deployment names them at run time.",
    );
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for logging and tracing: CloudWatch Logs delivery (logs:*LogDelivery*, resource policies) and X-Ray support no resource-level permissions.',
    });
  }

  /** sagemaker:InvokeEndpoint on the platform's endpoints only (name prefix), for the invocations route. */
  #grantInvoke(fn: LambdaFunction): void {
    fn.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sagemaker:InvokeEndpoint'], resources: [this.#named('endpoint')] }),
    );
    acknowledgeWildcards(
      fn,
      this.#findings(['endpoint']),
      "The platform's own endpoints (name prefix of this stage): endpoints are created by deployments at run time.",
    );
  }
}

/**
 * The role SageMaker runs the endpoints' containers under: read the model artifacts training wrote,
 * write data capture under ENDPOINT_CAPTURES_PREFIX, use the platform key for both, write the endpoints'
 * logs. Nothing else: the built-in image lives in SageMaker's own registry.
 */
const createEndpointRole = (scope: Construct, props: ServingProps): Role => {
  const stack = Stack.of(scope);
  const { artifactBucket: bucket, encryptionKey: key } = props;
  const role = new Role(scope, 'EndpointRole', {
    assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
    description: "Runs the platform's SageMaker endpoints (model artifacts read, captures written)",
  });
  const endpointLogs = stack.formatArn({
    service: 'logs',
    resource: 'log-group',
    resourceName: '/aws/sagemaker/Endpoints/*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const statements = [
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${MODEL_ARTIFACTS_PATTERN}*`)],
    }),
    new PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${ENDPOINT_CAPTURES_PREFIX}*`)],
    }),
    new PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    new PolicyStatement({
      actions: [
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'logs:DescribeLogStreams',
      ],
      resources: [endpointLogs, `${endpointLogs}:*`],
    }),
  ];
  for (const statement of statements) role.addToPrincipalPolicy(statement);
  acknowledgeWildcards(
    role,
    objectsFindings(bucket, [MODEL_ARTIFACTS_PATTERN, ENDPOINT_CAPTURES_PREFIX]),
    'Model artifacts of pipeline executions (read) and endpoint captures (write) only: SageMaker names both at run time.',
  );
  acknowledgeWildcards(
    role,
    [
      'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*',
      'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*:*',
    ],
    "SageMaker's endpoint log groups: one per endpoint, named by SageMaker when a deployment creates the endpoint.",
  );
  return role;
};

const validate = (id: string, prefix: string): void => {
  if (!Token.isUnresolved(prefix) && !/^[a-zA-Z0-9](-*[a-zA-Z0-9])*-?$/.test(prefix)) {
    throw new Error(
      `Serving ${id}: endpointPrefix "${prefix}" must be letters, digits and dashes, starting with a letter or digit (a SageMaker name's start)`,
    );
  }
  if (!Token.isUnresolved(prefix) && prefix.length > 40) {
    throw new Error(
      `Serving ${id}: endpointPrefix "${prefix}" leaves too little of SageMaker's 63 characters`,
    );
  }
};
