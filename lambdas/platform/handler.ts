import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { SnsNotificationPublisher } from '../shared/adapters/aws/sns-notification-publisher';
import { loadLambdaConfig } from '../shared/config';
import { lazy } from '../shared/lazy';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makePlatformHandler } from './app';
import { notificationDeps } from './notifications';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });

export const handler = makePlatformHandler(
  {
    ...notificationDeps({
      store,
      publisher: new SnsNotificationPublisher({ topicArn: config.notificationTopicArn }),
      clock: systemClock,
    }),
    // Every capability's route table and the JSON Schema generator load on the first request for the
    // document, not at cold start: they grow with the API, and most invocations never need them.
    openApiDocument: lazy(() => import('../api-document').then((module) => module.apiDocument())),
  },
  makeObservability(config.serviceName),
  { idempotency: { store, clock: systemClock } },
);
