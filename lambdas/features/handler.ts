import { AthenaTrainingSetEngine } from '../shared/adapters/aws/athena-training-set-engine';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { ObjectStoreOfflineSink } from '../shared/adapters/aws/object-store-offline-sink';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { loadLambdaConfig } from '../shared/config';
import { sortableIdGenerator } from '../shared/ids';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makeFeaturesHandler } from './app';
import { featuresDeps } from './deps';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
if (!config.offlineDatabase || !config.athenaWorkGroup) {
  throw new Error(
    'Invalid Lambda environment — OFFLINE_DATABASE and ATHENA_WORKGROUP are required by features',
  );
}
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });
// No key prefix: the function's grants cover s3://bucket/offline/* and training-sets/* exactly.
const objects = new S3ObjectStore({ bucketName: config.artifactBucketName, clock: systemClock });

export const handler = makeFeaturesHandler(
  featuresDeps({
    store,
    clock: systemClock,
    offline: new ObjectStoreOfflineSink({ objects, clock: systemClock }),
  }),
  makeObservability(config.serviceName),
  { idempotency: { store, clock: systemClock } },
  {
    objects,
    engine: new AthenaTrainingSetEngine({
      objects,
      database: config.offlineDatabase,
      workGroup: config.athenaWorkGroup,
    }),
    clock: systemClock,
    newId: sortableIdGenerator(systemClock),
  },
);
