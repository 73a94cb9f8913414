import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { loadLambdaConfig } from '../shared/config';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { noOpOfflineSink } from '../shared/ports/offline-sink';
import { makeFeaturesHandler } from './app';
import { featuresDeps } from './deps';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName });

export const handler = makeFeaturesHandler(
  // The offline store (S3 Parquet) is wired in by its own work; until then accepted records go online only.
  featuresDeps({ store, clock: systemClock, offline: noOpOfflineSink }),
  makeObservability(config.serviceName),
  { idempotency: { store, clock: systemClock } },
);
