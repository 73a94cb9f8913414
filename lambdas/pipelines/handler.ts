import type { Context } from 'aws-lambda';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { StepFunctionsWorkflowEngine } from '../shared/adapters/aws/step-functions-workflow-engine';
import { loadLambdaConfig } from '../shared/config';
import type { HttpEvent } from '../shared/http/handler';
import { sortableIdGenerator } from '../shared/ids';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makePipelinesHandler, type PipelinesDeps } from './app';
import { handleTriggerEvent, isTriggerEvent, type TriggerEvent } from './triggers';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
if (!config.trainingPipelineArn) {
  throw new Error('Invalid Lambda environment — TRAINING_PIPELINE_ARN is required by pipelines');
}
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName });

const deps: PipelinesDeps = {
  store,
  objects: new S3ObjectStore({ bucketName: config.artifactBucketName }),
  engine: new StepFunctionsWorkflowEngine({
    stateMachines: { 'training-pipeline': config.trainingPipelineArn },
  }),
  clock: systemClock,
  newId: sortableIdGenerator(systemClock),
};
const http = makePipelinesHandler(deps, makeObservability(config.serviceName), {
  idempotency: { store, clock: systemClock },
});

/** API Gateway requests, and the EventBridge rule's RetrainingRequested events (see triggers.ts). */
export const handler = async (event: HttpEvent | TriggerEvent, context: Context) =>
  isTriggerEvent(event) ? handleTriggerEvent(deps, event) : http(event, context);
