import { notificationDeps } from '../platform/notifications';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { EventBridgeEventPublisher } from '../shared/adapters/aws/eventbridge-event-publisher';
import { S3ObjectStore } from '../shared/adapters/aws/s3-object-store';
import { SnsNotificationPublisher } from '../shared/adapters/aws/sns-notification-publisher';
import type { LambdaConfig } from '../shared/config';
import { systemClock } from '../shared/ports/clock';
import { type MonitoringDeps, monitoringDeps } from './deps';

/**
 * Monitoring deps on the AWS adapters, shared by the API function and the drift job's function (the
 * composition roots pass what differs: schedules, report and failure hooks).
 */
export const cloudMonitoringDeps = (
  config: LambdaConfig,
  own: Pick<MonitoringDeps, 'schedules'> & Partial<Pick<MonitoringDeps, 'onReport' | 'onPublishFailure'>>,
): MonitoringDeps => {
  const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });
  return monitoringDeps({
    store,
    objects: new S3ObjectStore({ bucketName: config.artifactBucketName, clock: systemClock }),
    clock: systemClock,
    events: new EventBridgeEventPublisher({ eventBusName: config.eventBusName }),
    notifications: notificationDeps({
      store,
      publisher: new SnsNotificationPublisher({ topicArn: config.notificationTopicArn }),
      clock: systemClock,
    }),
    ...own,
  });
};
