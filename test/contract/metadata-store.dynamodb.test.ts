import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbMetadataStore } from '../../lambdas/shared/adapters/aws/dynamodb-metadata-store';
import { manualClock } from '../support/clock';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { describeMetadataStoreContract } from './metadata-store.contract';

let emulator: DynamoDbLocal;

beforeAll(async () => {
  emulator = await startDynamoDbLocal();
});
afterAll(async () => {
  await emulator?.stop();
});

describeMetadataStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const tableName = `metadata-${randomUUID()}`;
  await emulator.createMetadataTable(tableName);
  const clock = manualClock();
  const store = new DynamoDbMetadataStore({ tableName, client: emulator.docClient, clock });
  return { store, clock, dispose: async () => {} };
});
