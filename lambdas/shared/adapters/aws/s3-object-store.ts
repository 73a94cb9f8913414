import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Clock } from '../../ports/clock';
import type {
  ListOptions,
  ObjectInfo,
  ObjectPage,
  ObjectStore,
  PutObjectOptions,
  StoredObject,
} from '../../ports/object-store';
import { decodeCursor, encodeCursor, resolvePageSize } from '../cursor';
import {
  assertObjectKey,
  assertObjectPrefix,
  assertPutObjectOptions,
  DEFAULT_CONTENT_TYPE,
  toBytes,
  wholeSecond,
} from '../object-checks';

export interface S3ObjectStoreOptions {
  readonly bucketName: string;
  readonly client?: S3Client;
  /** Prepended to every key, e.g. 'artifacts/'; keys and listings given back omit it. */
  readonly prefix?: string;
  /** Stands in for Last-Modified in put's answer (PutObject does not return it); head and get give S3's. */
  readonly clock: Clock;
}

const isNotFound = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'NoSuchKey' ||
    error.name === 'NotFound' ||
    (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404);

/** ObjectStore on one S3 bucket (optionally below a key prefix). */
export class S3ObjectStore implements ObjectStore {
  readonly #bucket: string;
  readonly #client: S3Client;
  readonly #prefix: string;
  readonly #clock: Clock;

  constructor(options: S3ObjectStoreOptions) {
    this.#clock = options.clock;
    this.#bucket = options.bucketName;
    this.#client = options.client ?? new S3Client({});
    this.#prefix = options.prefix ?? '';
  }

  async put(key: string, body: Uint8Array | string, options?: PutObjectOptions): Promise<ObjectInfo> {
    assertObjectKey(key);
    assertPutObjectOptions(options);
    const bytes = toBytes(body);
    const contentType = options?.contentType ?? DEFAULT_CONTENT_TYPE;
    const metadata = { ...options?.metadata };
    const out = await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#prefix + key,
        Body: bytes,
        ContentType: contentType,
        Metadata: metadata,
      }),
    );
    // PutObject does not return Last-Modified; the composition root's clock, in S3's whole seconds, stands in.
    const lastModified = wholeSecond(this.#clock.now());
    return { key, size: bytes.byteLength, etag: out.ETag ?? '', lastModified, contentType, metadata };
  }

  async get(key: string): Promise<StoredObject | undefined> {
    assertObjectKey(key);
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      const body = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
      return {
        key,
        size: body.byteLength,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
        metadata: out.Metadata ?? {},
        body,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(key);
    try {
      const out = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }),
      );
      return {
        key,
        size: out.ContentLength ?? 0,
        etag: out.ETag ?? '',
        lastModified: out.LastModified ?? new Date(0),
        contentType: out.ContentType ?? DEFAULT_CONTENT_TYPE,
        metadata: out.Metadata ?? {},
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectPage> {
    assertObjectPrefix(prefix);
    const limit = resolvePageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, prefix);
    // StartAfter instead of continuation tokens: the cursor then means the same in both object stores.
    const out = await this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: this.#prefix + prefix,
        MaxKeys: limit,
        ...(after === undefined ? {} : { StartAfter: this.#prefix + after }),
      }),
    );
    const items: ObjectInfo[] = (out.Contents ?? []).map((entry) => ({
      key: (entry.Key ?? '').slice(this.#prefix.length),
      size: entry.Size ?? 0,
      etag: entry.ETag ?? '',
      lastModified: entry.LastModified ?? new Date(0),
    }));
    const last = items.at(-1);
    // S3 sets IsTruncated only when at least one more key follows, which is the cursor rule.
    return out.IsTruncated === true && last ? { items, cursor: encodeCursor(last.key) } : { items };
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }));
  }

  uriOf(key: string): string {
    assertObjectKey(key);
    return `s3://${this.#bucket}/${this.#prefix}${key}`;
  }
}
