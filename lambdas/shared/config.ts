import * as z from 'zod';

/**
 * Environment of every Lambda function, parsed once at cold start. A missing or malformed variable
 * stops the cold start with a message naming it, instead of failing on the first request that needs it.
 * The CDK function construct sets exactly these variables (see lib/constructs/bindings.ts);
 * the optional ones only for the capabilities whose catalogue access needs them.
 */
export const LambdaEnvironment = z.object({
  METADATA_TABLE_NAME: z.string().min(3),
  ARTIFACT_BUCKET_NAME: z.string().min(3),
  NOTIFICATION_TOPIC_ARN: z.string().startsWith('arn:'),
  /** The EventBridge bus capabilities publish their events to: a name or an ARN. */
  EVENT_BUS_NAME: z
    .string()
    .regex(/^(?:arn:\S+|[A-Za-z0-9._/-]{1,256})$/, 'must be an event bus name or ARN'),
  /** Glue database of the offline feature store; set only for capabilities with offline queries. */
  OFFLINE_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]{1,255}$/, 'must be lower-case letters, digits or _')
    .optional(),
  /** Athena workgroup of the offline feature store; set only for capabilities with offline queries. */
  ATHENA_WORKGROUP: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be an Athena workgroup name')
    .optional(),
  /** The training pipeline's state machine; set only for the pipelines API. */
  TRAINING_PIPELINE_ARN: z.string().startsWith('arn:').optional(),
  /** Prefix of the models' training-schedule rules; set only for the pipelines API. */
  PIPELINE_RULE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1-40 letters, digits, ".", "_" or "-"')
    .optional(),
  /** The deployment state machine; set only for the deployments function (with ENDPOINT_PREFIX). */
  DEPLOYMENT_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  /** Prefix of the platform's SageMaker names (`mlops-{stage}-`); set only for the deployments function. */
  ENDPOINT_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9])*-?$/, 'must be letters, digits and dashes')
    .max(40)
    .optional(),
  /** Git SHA of the deployed code, recorded in the lineage of what pipelines register. */
  CODE_GIT_SHA: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/i, 'must be a git SHA')
    .optional(),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  /** Set by the Lambda runtime. */
  AWS_REGION: z.string().min(1),
});

export interface LambdaConfig {
  readonly metadataTableName: string;
  readonly artifactBucketName: string;
  readonly notificationTopicArn: string;
  readonly eventBusName: string;
  /** Glue database of the offline store; only where the catalogue grants offline queries. */
  readonly offlineDatabase?: string;
  /** Athena workgroup of the offline store; only where the catalogue grants offline queries. */
  readonly athenaWorkGroup?: string;
  /** State machine of the training pipeline; only where the pipelines API runs. */
  readonly trainingPipelineArn?: string;
  /** Prefix of the training-schedule rules; only where the pipelines API runs. */
  readonly pipelineRulePrefix?: string;
  /** State machine of deployments; only where the deployments function runs on SageMaker. */
  readonly deploymentStateMachineArn?: string;
  /** Prefix of the platform's SageMaker names; only where the deployments function runs on SageMaker. */
  readonly endpointPrefix?: string;
  readonly codeGitSha?: string;
  readonly serviceName: string;
  readonly region: string;
}

/** Parses environment variables with `schema`, or throws listing every variable at fault. */
export const parseEnvironment = <S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): z.output<S> => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid Lambda environment — ${problems}`);
  }
  return parsed.data;
};

/** Parses the Lambda environment or throws listing every variable at fault. */
export const loadLambdaConfig = (env: Readonly<Record<string, string | undefined>>): LambdaConfig => {
  const e = parseEnvironment(LambdaEnvironment, env);
  return {
    metadataTableName: e.METADATA_TABLE_NAME,
    artifactBucketName: e.ARTIFACT_BUCKET_NAME,
    notificationTopicArn: e.NOTIFICATION_TOPIC_ARN,
    eventBusName: e.EVENT_BUS_NAME,
    ...(e.OFFLINE_DATABASE ? { offlineDatabase: e.OFFLINE_DATABASE } : {}),
    ...(e.ATHENA_WORKGROUP ? { athenaWorkGroup: e.ATHENA_WORKGROUP } : {}),
    ...(e.TRAINING_PIPELINE_ARN ? { trainingPipelineArn: e.TRAINING_PIPELINE_ARN } : {}),
    ...(e.PIPELINE_RULE_PREFIX ? { pipelineRulePrefix: e.PIPELINE_RULE_PREFIX } : {}),
    ...(e.DEPLOYMENT_STATE_MACHINE_ARN ? { deploymentStateMachineArn: e.DEPLOYMENT_STATE_MACHINE_ARN } : {}),
    ...(e.ENDPOINT_PREFIX ? { endpointPrefix: e.ENDPOINT_PREFIX } : {}),
    ...(e.CODE_GIT_SHA ? { codeGitSha: e.CODE_GIT_SHA } : {}),
    serviceName: e.POWERTOOLS_SERVICE_NAME,
    region: e.AWS_REGION,
  };
};
