import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { EventBridgeEventPublisher } from '../shared/adapters/aws/eventbridge-event-publisher';
import { loadLambdaConfig } from '../shared/config';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makeRegistryHandler } from './app';
import { registryDeps } from './deps';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });

export const handler = makeRegistryHandler(
  registryDeps({
    store,
    events: new EventBridgeEventPublisher({ eventBusName: config.eventBusName }),
    clock: systemClock,
  }),
  makeObservability(config.serviceName),
  { idempotency: { store, clock: systemClock } },
);
