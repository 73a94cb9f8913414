import type { Context } from 'aws-lambda';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { EventBridgeScheduleRules } from '../shared/adapters/aws/eventbridge-schedule-rules';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { StepFunctionsWorkflowEngine } from '../shared/adapters/aws/step-functions-workflow-engine';
import { loadLambdaConfig } from '../shared/config';
import type { HttpEvent } from '../shared/http/handler';
import { sortableIdGenerator } from '../shared/ids';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makePipelinesHandler, type PipelinesDeps } from './app';
import { trainingScheduledEvent } from './trigger-events';
import { handleTriggerEvent, isTriggerEvent, type TriggerEvent } from './triggers';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
if (!config.trainingPipelineArn || !config.pipelineRulePrefix) {
  throw new Error(
    'Invalid Lambda environment — TRAINING_PIPELINE_ARN and PIPELINE_RULE_PREFIX are required by pipelines',
  );
}
// A model's schedule rule targets this very function, whose ARN only an invocation tells (an
// environment variable holding it would make the function depend on itself in CloudFormation).
let ownArn = '';
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });

const deps: PipelinesDeps = {
  store,
  objects: new S3ObjectStore({ bucketName: config.artifactBucketName, clock: systemClock }),
  engine: new StepFunctionsWorkflowEngine({
    stateMachines: { 'training-pipeline': config.trainingPipelineArn },
  }),
  clock: systemClock,
  newId: sortableIdGenerator(systemClock),
  schedules: new EventBridgeScheduleRules({
    rulePrefix: config.pipelineRulePrefix,
    targetId: 'training-pipeline',
    targetArn: () => ownArn,
    input: trainingScheduledEvent,
    describe: (model) => `Retrains model ${model} with its last successful request`,
  }),
};
const http = makePipelinesHandler(deps, makeObservability(config.serviceName), {
  idempotency: { store, clock: systemClock },
});

/** API Gateway requests, and the EventBridge rule's RetrainingRequested events (see triggers.ts). */
export const handler = async (event: HttpEvent | TriggerEvent, context: Context) => {
  ownArn = context.invokedFunctionArn;
  return isTriggerEvent(event) ? handleTriggerEvent(deps, event) : http(event, context);
};
