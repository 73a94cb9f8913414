/**
 * Rules every ObjectStore adapter enforces before any I/O, so the file store refuses what S3 (or the
 * HTTP hop to it) would refuse or silently change.
 */
import { ValidationError } from '../errors';
import { OBJECT_KEY_PATTERN, type PutObjectOptions } from '../ports/object-store';

/** What S3 reports for an object stored without a content type; both adapters default to it. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

// S3 allows 2 KB of user metadata (names plus values), sent as HTTP headers: names are lower-cased
// on the way and values lose surrounding blanks, so only what survives unchanged is accepted.
const MAX_METADATA_BYTES = 2048;
const METADATA_NAME = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$/;
const METADATA_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;
const CONTENT_TYPE = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;

export const assertObjectKey = (key: string): void => {
  if (typeof key !== 'string' || !OBJECT_KEY_PATTERN.test(key)) {
    throw new ValidationError([
      {
        field: 'key',
        rule: 'object_key',
        message:
          "must be 1..1024 characters, without a leading '/', '.' or '..' segments, backslashes or control characters",
      },
    ]);
  }
};

/**
 * A listing prefix is fine when some valid key starts with it ('a/.' starts 'a/.env'): it is empty, a
 * key itself, or becomes one with a character added.
 */
export const assertObjectPrefix = (prefix: string): void => {
  const valid =
    typeof prefix === 'string' &&
    (prefix === '' || OBJECT_KEY_PATTERN.test(prefix) || OBJECT_KEY_PATTERN.test(`${prefix}x`));
  if (!valid) {
    throw new ValidationError([
      {
        field: 'prefix',
        rule: 'object_prefix',
        message: "must be at most 1024 characters, without a leading '/', backslashes or control characters",
      },
    ]);
  }
};

export const assertPutObjectOptions = (options: PutObjectOptions | undefined): void => {
  if (options?.contentType !== undefined && !CONTENT_TYPE.test(options.contentType)) {
    throw new ValidationError([
      { field: 'contentType', rule: 'content_type', message: 'must be 1..256 printable ASCII characters' },
    ]);
  }
  const metadata = Object.entries(options?.metadata ?? {});
  let bytes = 0;
  for (const [name, value] of metadata) {
    if (!METADATA_NAME.test(name) || typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw new ValidationError([
        {
          field: `metadata.${name}`,
          rule: 'object_metadata',
          message:
            'names are lower-case letters, digits, - and _; values are printable ASCII without surrounding blanks',
        },
      ]);
    }
    bytes += name.length + value.length;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new ValidationError([
      {
        field: 'metadata',
        rule: 'object_metadata',
        message: `must total at most ${MAX_METADATA_BYTES} bytes`,
      },
    ]);
  }
};

export const toBytes = (body: Uint8Array | string): Uint8Array =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : body;

/** S3 keeps Last-Modified in whole seconds; both object stores stamp writes the same way. */
export const wholeSecond = (at: Date): Date => new Date(Math.floor(at.getTime() / 1000) * 1000);
