import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../lambdas/shared/adapters/aws/s3-object-store';
import { manualClock } from '../support/clock';
import { type S3rverHandle, startS3rver } from '../support/s3rver';
import { describeObjectStoreContract } from './object-store.contract';

let s3: S3rverHandle;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});

const newBucket = async () => {
  const bucketName = `bucket-${randomUUID()}`;
  await s3.createBucket(bucketName);
  return bucketName;
};

describeObjectStoreContract('S3 (s3rver)', async (clock) => {
  const bucketName = await newBucket();
  // Port 9 (discard) is closed on loopback: the connection is refused at once.
  const closed = new S3Client({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
  });
  return {
    store: new S3ObjectStore({ bucketName, client: s3.client, clock }),
    unreachable: new S3ObjectStore({ bucketName, client: closed, clock }),
    storeNow: () => s3.now(),
    dispose: async () => closed.destroy(),
  };
});

describe('S3ObjectStore', () => {
  it('names objects s3://bucket/prefix+key and keeps stores with different prefixes apart', async () => {
    const bucketName = await newBucket();
    const clock = manualClock();
    const blue = new S3ObjectStore({ bucketName, client: s3.client, prefix: 'blue/', clock });
    const green = new S3ObjectStore({ bucketName, client: s3.client, prefix: 'green/', clock });

    await blue.put('models/a.json', 'blue');
    await green.put('models/a.json', 'green');

    expect(blue.uriOf('models/a.json')).toBe(`s3://${bucketName}/blue/models/a.json`);
    expect(Buffer.from((await blue.get('models/a.json'))?.body ?? []).toString()).toBe('blue');
    expect((await green.list('models/')).items.map((item) => item.key)).toEqual(['models/a.json']);
    expect(
      (await new S3ObjectStore({ bucketName, client: s3.client, clock }).list('')).items.map((i) => i.key),
    ).toEqual(['blue/models/a.json', 'green/models/a.json']);
  });
});
