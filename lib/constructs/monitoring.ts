import { join } from 'node:path';
import { ArnFormat, type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { z } from 'zod';
import type { MonitoringEnvironment } from '../../lambdas/monitoring/config';
import { DRIFT_METRICS } from '../../lambdas/monitoring/metrics';
import { PROJECT_ROOT } from '../paths';
import { checkedSubstitutions } from '../state-machine-file';
import { bindSharedResources, type SharedResources } from './bindings';
import { METRICS_NAMESPACE, PlatformFunction, type PowertoolsLogLevel } from './platform-function';
import { grantRuleManagement } from './rule-management';

/** The ASL file CDK deploys and the local runner executes. */
export const DRIFT_JOB_DEFINITION = join(PROJECT_ROOT, 'statemachines/drift-job.asl.json');
const JOB_ENTRY = 'lambdas/monitoring/job-handler.ts';
/** The job function's service name: the `service` dimension of the DriftDetected alarm. */
export const MONITORING_JOB_SERVICE = 'monitoring-job';

export interface MonitoringProps extends SharedResources {
  /** The platform key, which encrypts the notification topic: the drift alarm's messages need it. */
  readonly encryptionKey: IKey;
  /**
   * Prefix of the EventBridge rules the API creates, one per monitor: unique to the stage, so that two
   * stages in one account never touch each other's rules. 1-32 of letters, digits, `.`, `_`, `-`.
   */
  readonly rulePrefix: string;
  /** @default 'INFO' */
  readonly logLevel?: PowertoolsLogLevel;
  /** Of the functions' and the state machine's log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Scheduled model monitoring: the drift-job state machine (Standard) from statemachines/drift-job.asl.json
 * — resolve, a Distributed Map over the S3 listing of the capture window, merge and compare, notify —
 * its two task functions, the role EventBridge rules assume to start it, and an alarm on DriftDetected
 * that tells the notification topic. The monitoring API function creates one EventBridge rule per
 * monitor at run time (see grantSchedules): EventBridge then owns the schedule semantics and checks the
 * expression, and nothing runs between fire times, where a dispatcher rule would wake every few minutes
 * to look for due monitors and could not honour rate(1 minute).
 */
export class Monitoring extends Construct {
  public readonly stateMachine: StateMachine;
  /** Resolve, merge and compare, notify, record failures. */
  public readonly jobFunction: PlatformFunction;
  /** One batch of capture objects per invocation, inside the Distributed Map. */
  public readonly summariseFunction: PlatformFunction;
  /** EventBridge assumes it to start the state machine from a monitor's rule. */
  public readonly scheduleRole: Role;
  public readonly driftAlarm: Alarm;
  public readonly logGroup: LogGroup;
  readonly #rulePrefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.rulePrefix) && !/^[A-Za-z0-9._-]{1,32}$/.test(props.rulePrefix)) {
      throw new Error(
        `Monitoring ${id}: rulePrefix "${props.rulePrefix}" must be 1-32 letters, digits, ".", "_" or "-"`,
      );
    }
    this.#rulePrefix = props.rulePrefix;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const common = {
      entry: JOB_ENTRY,
      // One full vCPU (1,769 MB): summarising is CPU-bound binning of parsed JSON Lines.
      memorySize: 1769,
      timeout: Duration.minutes(5),
      removalPolicy,
      ...(props.logLevel ? { logLevel: props.logLevel } : {}),
    };
    this.jobFunction = new PlatformFunction(this, 'Job', {
      ...common,
      serviceName: MONITORING_JOB_SERVICE,
      description: 'Drift job steps: resolve the baseline, merge and compare, notify, record failures',
    });
    bindSharedResources(props, this.jobFunction, {
      metadata: 'readWrite',
      artifacts: 'readWrite',
      notifications: 'publish',
      events: 'publish',
    });

    this.summariseFunction = new PlatformFunction(this, 'Summarise', {
      ...common,
      serviceName: 'monitoring-summarise',
      description: 'Drift job: summarise a batch of capture objects against the baseline',
    });
    // Reads captures and baselines, writes shard summaries; reads labels; nothing else.
    bindSharedResources(props, this.summariseFunction, {
      metadata: 'read',
      artifacts: 'readWrite',
      notifications: 'none',
      events: 'none',
    });

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(DRIFT_JOB_DEFINITION),
      definitionSubstitutions: checkedSubstitutions(`Monitoring ${id}`, DRIFT_JOB_DEFINITION, {
        JobFunctionArn: this.jobFunction.functionArn,
        SummariseFunctionArn: this.summariseFunction.functionArn,
        ArtifactBucketName: props.artifactBucket.bucketName,
      }),
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.#grantStateMachine(props);

    this.scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
      description: "Lets monitors' EventBridge rules start the drift job",
    });
    this.stateMachine.grantStartExecution(this.scheduleRole);

    this.driftAlarm = new Alarm(this, 'DriftAlarm', {
      alarmDescription:
        'A monitor found dataset drift: see GET /monitors/{name}/reports and the notification topic.',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: DRIFT_METRICS.driftDetected,
        dimensionsMap: { service: MONITORING_JOB_SERVICE },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.driftAlarm.addAlarmAction(new SnsAction(props.notificationTopic));
    // CloudWatch publishes to the encrypted topic itself, so the key must let CloudWatch use it.
    const { statementAdded } = props.encryptionKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (!statementAdded) {
      throw new Error(
        `Monitoring ${id}: the encryptionKey takes no key policy statement here (an imported key?), so the drift alarm could not publish to the topic; pass a key defined in this app`,
      );
    }
  }

  /**
   * Lets the monitoring API function put and delete the monitors' rules (those with this stage's prefix
   * only) and hand them the schedule role; sets the variables lambdas/monitoring/config.ts reads. Runs
   * on demand execute in the API function itself, so it gets the API timeout's worth of time (29 s).
   */
  grantSchedules(fn: LambdaFunction): void {
    const variables: Record<keyof z.input<typeof MonitoringEnvironment>, string> = {
      MONITOR_RULE_PREFIX: this.#rulePrefix,
      MONITOR_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
      MONITOR_SCHEDULE_ROLE_ARN: this.scheduleRole.roleArn,
    };
    for (const [name, value] of Object.entries(variables)) fn.addEnvironment(name, value);
    (fn.node.defaultChild as CfnFunction).timeout = 29;
    grantRuleManagement(
      fn,
      this.#rulePrefix,
      "The monitors' rules of this stage only: one per monitor, named by the monitor when it is created.",
    );
    fn.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.scheduleRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
      }),
    );
  }

  /**
   * The state machine's own role: invoke the two functions, list the bucket (the ItemReader), and run
   * the Distributed Map's child executions. The child-execution statements name the state machine, so
   * they go in a policy of their own: the state machine does not wait for it, which breaks the cycle.
   */
  #grantStateMachine(props: MonitoringProps): void {
    const stack = Stack.of(this);
    const machine = this.stateMachine;
    machine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.jobFunction.functionArn, this.summariseFunction.functionArn],
      }),
    );
    machine.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.artifactBucket.bucketArn] }),
    );
    const childExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${machine.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const mapRuns = stack.formatArn({
      service: 'states',
      resource: 'mapRun',
      resourceName: `${machine.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new Policy(this, 'DistributedMapPolicy', {
      roles: [machine.role as Role],
      statements: [
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [machine.stateMachineArn] }),
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [childExecutions],
        }),
        new PolicyStatement({
          actions: ['states:DescribeMapRun', 'states:UpdateMapRun', 'states:RedriveExecution'],
          resources: [mapRuns, childExecutions],
        }),
      ],
    });
    const name = `<${stack.getLogicalId(machine.node.defaultChild as CfnElement)}.Name>`;
    const prefix = 'Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>';
    for (const finding of [`${prefix}:execution:${name}/*`, `${prefix}:mapRun:${name}/*`]) {
      Validations.of(policy).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason:
          "The Distributed Map's own child executions and map runs: Step Functions names them at run time.",
      });
    }
    Validations.of(machine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by CDK for logging and tracing: CloudWatch Logs delivery (logs:*LogDelivery*, resource policies) and X-Ray support no resource-level permissions.',
    });
  }
}
