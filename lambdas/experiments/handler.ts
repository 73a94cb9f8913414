import { versionExists } from '../registry/public';
import { DynamoDbMetadataStore } from '../shared/adapters/aws/dynamodb-metadata-store';
import { ScanRunSearchIndex } from '../shared/adapters/aws/scan-run-search-index';
import { loadLambdaConfig } from '../shared/config';
import { sortableIdGenerator } from '../shared/ids';
import { makeObservability } from '../shared/observability';
import { systemClock } from '../shared/ports/clock';
import { makeExperimentsHandler } from './app';

// Lambda composition root: config parsed once at cold start, AWS adapters chosen here and nowhere else.
const config = loadLambdaConfig(process.env);
const store = new DynamoDbMetadataStore({ tableName: config.metadataTableName, clock: systemClock });

export const handler = makeExperimentsHandler(
  {
    store,
    // In the cloud the run items of each experiment's partition are the index (see the adapter's limits).
    searchIndex: new ScanRunSearchIndex({ store }),
    clock: systemClock,
    newId: sortableIdGenerator(systemClock),
    // Runs link only to versions the registry holds (same table, through the registry's public module).
    modelVersionExists: (model, version) => versionExists(store, model, version),
  },
  makeObservability(config.serviceName),
  { idempotency: { store, clock: systemClock } },
);
