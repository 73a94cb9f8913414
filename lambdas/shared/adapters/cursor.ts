import { ValidationError } from '../errors';

/** Page size when the caller names none (matches the HTTP edge's default). */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest page any adapter serves: DynamoDB Query and S3 ListObjectsV2 both cap a call at about this. */
export const MAX_PAGE_SIZE = 1000;

const invalidCursor = (message: string) =>
  new ValidationError([{ field: 'query.nextToken', rule: 'cursor', message }]);

/**
 * Page token naming the last key a page returned; the next page starts strictly after it. The key is
 * wrapped in a JSON array so that a cut or edited token fails to parse instead of naming another key.
 */
export const encodeCursor = (lastKey: string): string =>
  Buffer.from(JSON.stringify([lastKey]), 'utf8').toString('base64url');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Compares two keys by their UTF-8 bytes (DynamoDB's and S3's order), which is also code point order. */
export const compareUtf8 = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Reads a token made by `encodeCursor`; anything else is a ValidationError, as is a token whose key
 * lies outside `prefix` or the inclusive `range` (DynamoDB rejects such an ExclusiveStartKey; every
 * adapter does the same).
 */
export const decodeCursor = (
  cursor: string,
  prefix = '',
  range: { readonly gte?: string; readonly lte?: string } = {},
): string => {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor('is not a token this service issued');
  const bytes = Buffer.from(cursor, 'base64url');
  // Node's decoder ignores stray bits; re-encoding catches tokens that were cut or edited.
  if (bytes.toString('base64url') !== cursor) throw invalidCursor('is not a token this service issued');
  let parsed: unknown;
  try {
    parsed = JSON.parse(strictUtf8.decode(bytes));
  } catch (error) {
    throw new ValidationError(
      [{ field: 'query.nextToken', rule: 'cursor', message: 'is not a token this service issued' }],
      { cause: error },
    );
  }
  const key: unknown = Array.isArray(parsed) && parsed.length === 1 ? parsed[0] : undefined;
  if (typeof key !== 'string' || key === '') throw invalidCursor('is not a token this service issued');
  const outside =
    !key.startsWith(prefix) ||
    (range.gte !== undefined && compareUtf8(key, range.gte) < 0) ||
    (range.lte !== undefined && compareUtf8(key, range.lte) > 0);
  if (outside) throw invalidCursor('belongs to another listing');
  return key;
};

/** The page size to use: `limit` when it is an integer in 1..MAX_PAGE_SIZE, the default when absent. */
export const resolvePageSize = (limit: number | undefined): number => {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError([
      { field: 'query.limit', rule: 'range', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` },
    ]);
  }
  return limit;
};
