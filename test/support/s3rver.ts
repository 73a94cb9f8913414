/**
 * s3rver (an S3 look-alike) in this process for adapter tests: 127.0.0.1, a free port, a temp folder.
 * Two things differ from S3 and are set right here, not in the adapter:
 * - its listing walks folders (so 'a/b' came before 'a', and 'a/b' before 'a-b') and compares keys
 *   as UTF-16, while S3 lists in UTF-8 byte order; `listObjects` is replaced with one that sorts;
 * - its continuation tokens are DES-encrypted, which OpenSSL 3 only offers with
 *   `--openssl-legacy-provider`; the test worker must start with that flag (vitest.config.ts execArgv).
 */
import { createCipheriv } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

export interface S3rverHandle {
  readonly endpoint: string;
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  /**
   * The time s3rver stamps objects with: its files' modification time, which comes from the kernel
   * (libuv reads it with statx), not from the process clock a test may have moved (libfaketime).
   */
  now(): Promise<Date>;
  stop(): Promise<void>;
}

interface ListOptions {
  readonly prefix?: string;
  readonly startAfter?: string;
  readonly maxKeys?: number;
  readonly delimiter?: string;
}

interface FilesystemStore {
  getBucketPath(bucket: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  listObjects(bucket: string, options: ListOptions): Promise<unknown>;
}

interface S3rverServer {
  readonly store: FilesystemStore;
  readonly httpServer?: Server;
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverServer;
const S3Object = require('s3rver/lib/models/object') as new (
  bucket: string,
  key: string,
  content: null,
  metadata: Record<string, string>,
) => unknown;

// s3rver keeps object KEY as the file KEY._S3rver_object.
const OBJECT_SUFFIX = '._S3rver_object';

const objectKeys = async (folder: string): Promise<string[]> => {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(OBJECT_SUFFIX))
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .map((path) => path.slice(0, -OBJECT_SUFFIX.length));
};

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** S3's ListObjects: keys in UTF-8 byte order, strictly after startAfter, at most maxKeys. */
const sortedListing = (store: FilesystemStore) => async (bucket: string, options: ListOptions) => {
  if (options.delimiter) throw new Error('this test double lists without a delimiter only');
  const prefix = options.prefix ?? '';
  const after = options.startAfter ?? '';
  const keys = (await objectKeys(store.getBucketPath(bucket)))
    .filter((key) => key.startsWith(prefix) && utf8Order(key, after) > 0)
    .sort(utf8Order);
  const page = keys.slice(0, options.maxKeys ?? 1000);
  const objects = await Promise.all(
    page.map(async (key) => new S3Object(bucket, key, null, await store.getMetadata(bucket, key))),
  );
  return { objects, commonPrefixes: [], isTruncated: keys.length > page.length };
};

const assertLegacyProvider = () => {
  try {
    createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
  } catch (error) {
    throw new Error(
      's3rver pages listings with DES, which needs Node started with --openssl-legacy-provider ' +
        "(vitest.config.ts: test.execArgv: ['--openssl-legacy-provider'])",
      { cause: error },
    );
  }
};

export const startS3rver = async (): Promise<S3rverHandle> => {
  assertLegacyProvider();
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  server.store.listObjects = sortedListing(server.store);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    // s3rver checks signatures against its fixed account.
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver predates the SDK's default CRC checksums (and their aws-chunked bodies).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async now() {
      const probe = join(directory, '.clock-probe');
      await writeFile(probe, '');
      return (await stat(probe)).mtime;
    },
    async stop() {
      client.destroy();
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
};
