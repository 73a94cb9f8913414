import { apiDocument } from '../api-document';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { SnsNotificationPublisher } from '../shared/adapters/aws/sns-notification-publisher';
import { loadLambdaConfig } from '../shared/config';
import { lazy } from '../shared/lazy';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makePlatformHandler } from './app';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);

export const handler = makePlatformHandler(
  {
    store: new DynamoDbMetadataStore({ tableName: config.metadataTableName }),
    publisher: new SnsNotificationPublisher({ topicArn: config.notificationTopicArn }),
    clock: systemClock,
    openApiDocument: lazy(() => apiDocument()),
  },
  makeObservability(config.serviceName),
);
