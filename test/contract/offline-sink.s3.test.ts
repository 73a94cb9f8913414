import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { ObjectStoreOfflineSink } from '../../lambdas/shared/adapters/aws/object-store-offline-sink';
import { S3ObjectStore } from '../../lambdas/shared/adapters/aws/s3-object-store';
import { type S3rverHandle, startS3rver } from '../support/s3rver';
import { describeOfflineSinkContract } from './offline-sink.contract';

let s3: S3rverHandle;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});

describeOfflineSinkContract('S3 (s3rver) through the ObjectStore port', async ({ clock, newBatchId }) => {
  const bucketName = `bucket-${randomUUID()}`;
  await s3.createBucket(bucketName);
  const objects = new S3ObjectStore({ bucketName, client: s3.client, clock });
  return {
    sink: new ObjectStoreOfflineSink({ objects, clock, newBatchId }),
    files: async () => {
      const { items } = await objects.list('offline/');
      return Promise.all(
        items.map(async (item) => ({
          key: item.key,
          body: (await objects.get(item.key))?.body ?? new Uint8Array(),
        })),
      );
    },
    dispose: async () => {},
  };
});
