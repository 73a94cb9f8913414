import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { StepFunctionsWorkflowEngine } from '../shared/adapters/aws/step-functions-workflow-engine';
import { loadLambdaConfig } from '../shared/config';
import { sortableIdGenerator } from '../shared/ids';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makePipelinesHandler } from './app';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
if (!config.trainingPipelineArn) {
  throw new Error('Invalid Lambda environment — TRAINING_PIPELINE_ARN is required by pipelines');
}
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName });

export const handler = makePipelinesHandler(
  {
    store,
    objects: new S3ObjectStore({ bucketName: config.artifactBucketName }),
    engine: new StepFunctionsWorkflowEngine({
      stateMachines: { 'training-pipeline': config.trainingPipelineArn },
    }),
    clock: systemClock,
    newId: sortableIdGenerator(systemClock),
  },
  makeObservability(config.serviceName),
  { idempotency: { store, clock: systemClock } },
);
