/**
 * The object store: immutable-ish blobs by key, as S3 offers them. Adapters: S3 (cloud) and files
 * under MLOPS_HOME (local); test/contract/object-store.contract.ts holds them to the same behaviour.
 */

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** Changes whenever the content changes; opaque. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface StoredObject extends ObjectInfo {
  readonly body: Uint8Array;
}

export interface PutObjectOptions {
  readonly contentType?: string;
  /** Small string pairs stored with the object (S3 user metadata: lower-case keys, ASCII values). */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface ListOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

export interface ObjectPage {
  readonly items: ObjectInfo[];
  readonly cursor?: string;
}

/** Object keys: 1..1024 chars, no leading '/', no '.' or '..' segment, no backslash, no control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to refuse control characters.
export const OBJECT_KEY_PATTERN = /^(?!\/)(?!.*(?:^|\/)\.{1,2}(?:\/|$))[^\\\u0000-\u001f\u007f]{1,1024}$/;

export interface ObjectStore {
  put(key: string, body: Uint8Array | string, options?: PutObjectOptions): Promise<ObjectInfo>;
  get(key: string): Promise<StoredObject | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Keys that start with `prefix`, in UTF-8 byte order. */
  list(prefix: string, options?: ListOptions): Promise<ObjectPage>;
  /** Removing a missing key is not an error (as in S3). */
  delete(key: string): Promise<void>;
  /** A URI that names the object for humans and for other AWS services (s3://bucket/key or file://...). */
  uriOf(key: string): string;
}
