import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbMetadataStore } from '../../lambdas/shared/adapters/aws/dynamodb-metadata-store';
import { ScanRunSearchIndex } from '../../lambdas/shared/adapters/aws/scan-run-search-index';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { describeRunSearchIndexContract } from './run-search-index.contract';

let emulator: DynamoDbLocal;

beforeAll(async () => {
  emulator = await startDynamoDbLocal();
});
afterAll(async () => {
  await emulator?.stop();
});

describeRunSearchIndexContract('scan of the DynamoDB run partitions (DynamoDB Local)', async (clock) => {
  const tableName = `metadata-${randomUUID()}`;
  await emulator.createMetadataTable(tableName);
  const store = new DynamoDbMetadataStore({ tableName, client: emulator.docClient, clock });
  return { store, index: new ScanRunSearchIndex({ store }), dispose: async () => {} };
});
