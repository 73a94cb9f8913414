import { featuresDeps } from '../../features/deps';
import { notificationDeps } from '../../platform/notifications';
import { registryDeps } from '../../registry/deps';
import { versionExists } from '../../registry/public';
import { AthenaTrainingSetEngine } from '../../shared/adapters/aws/athena-training-set-engine';
import { DynamoDbMetadataStore } from '../../shared/adapters/aws/dynamodb-metadata-store';
import { EventBridgeEventPublisher } from '../../shared/adapters/aws/eventbridge-event-publisher';
import { ObjectStoreOfflineSink } from '../../shared/adapters/aws/object-store-offline-sink';
import { S3ObjectStore } from '../../shared/adapters/aws/s3-object-store';
import { ScanRunSearchIndex } from '../../shared/adapters/aws/scan-run-search-index';
import { SnsNotificationPublisher } from '../../shared/adapters/aws/sns-notification-publisher';
import { loadLambdaConfig } from '../../shared/config';
import { sortableIdGenerator } from '../../shared/ids';
import { systemClock } from '../../shared/ports/clock';
import { makePipelineTaskFunction } from './dispatch';

// Lambda composition root of the training pipeline's task function (invoked by Step Functions only).
const config = loadLambdaConfig(process.env);
if (!config.offlineDatabase || !config.athenaWorkGroup) {
  throw new Error(
    'Invalid Lambda environment — OFFLINE_DATABASE and ATHENA_WORKGROUP are required by pipeline tasks',
  );
}
const clock = systemClock;
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });
const objects = new S3ObjectStore({ bucketName: config.artifactBucketName, clock: systemClock });

export const handler = makePipelineTaskFunction({
  store,
  objects,
  clock,
  features: featuresDeps({ store, clock, offline: new ObjectStoreOfflineSink({ objects, clock }) }),
  trainingSets: {
    objects,
    engine: new AthenaTrainingSetEngine({
      objects,
      database: config.offlineDatabase,
      workGroup: config.athenaWorkGroup,
    }),
    clock,
    newId: sortableIdGenerator(clock),
  },
  registry: registryDeps({
    store,
    events: new EventBridgeEventPublisher({ eventBusName: config.eventBusName }),
    clock,
  }),
  experiments: {
    store,
    searchIndex: new ScanRunSearchIndex({ store }),
    clock,
    newId: sortableIdGenerator(clock),
    modelVersionExists: (model, version) => versionExists(store, model, version),
  },
  notifications: notificationDeps({
    store,
    publisher: new SnsNotificationPublisher({ topicArn: config.notificationTopicArn }),
    clock,
  }),
  code: config.codeGitSha ? { gitSha: config.codeGitSha } : {},
});
