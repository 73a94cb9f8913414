import { notificationDeps } from '../platform/notifications';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { EventBridgeEventPublisher } from '../shared/adapters/aws/eventbridge-event-publisher';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { SnsNotificationPublisher } from '../shared/adapters/aws/sns-notification-publisher';
import { loadLambdaConfig } from '../shared/config';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { driftJobScheduleRules } from './adapters/eventbridge-schedules';
import { makeMonitoringHandler, monitoringDeps } from './app';
import { loadMonitoringConfig } from './config';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
const monitoring = loadMonitoringConfig(process.env);
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName });

export const handler = makeMonitoringHandler(
  monitoringDeps({
    store,
    objects: new S3ObjectStore({ bucketName: config.artifactBucketName }),
    clock: systemClock,
    events: new EventBridgeEventPublisher({ eventBusName: config.eventBusName }),
    notifications: notificationDeps({
      store,
      publisher: new SnsNotificationPublisher({ topicArn: config.notificationTopicArn }),
      clock: systemClock,
    }),
    schedules: driftJobScheduleRules({
      rulePrefix: monitoring.rulePrefix,
      stateMachineArn: monitoring.stateMachineArn,
      roleArn: monitoring.scheduleRoleArn,
    }),
  }),
  makeObservability(config.serviceName),
  { idempotency: { store, clock: systemClock } },
);
