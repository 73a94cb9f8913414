/**
 * Rules every MetadataStore adapter enforces before touching its backend, so that the embedded store
 * refuses exactly what DynamoDB would refuse (and with the platform's ValidationError, not an SDK error).
 */
import { ItemTooLargeError, ValidationError } from '../errors';
import {
  type ItemKey,
  type JsonValue,
  MAX_TRANSACTION_OPS,
  type NewerPutOp,
  type QueryOptions,
  type RecencyOrder,
  type WriteCondition,
  type WriteOp,
} from '../ports/metadata-store';
import { compareUtf8 } from './cursor';

// DynamoDB's own limits on key attribute sizes.
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
// Smallest magnitude a DynamoDB number may have; smaller non-zero values are rejected as underflow.
const MIN_NUMBER_MAGNITUDE = 1e-130;

/**
 * Whether `value` takes at most `maxBytes` in UTF-8. A UTF-16 code unit never takes more than 3 UTF-8
 * bytes, so short strings pass without being measured (the common case, on every write).
 */
const fitsUtf8 = (value: string, maxBytes: number): boolean =>
  value.length * 3 <= maxBytes || Buffer.byteLength(value, 'utf8') <= maxBytes;

const invalid = (field: string, rule: string, message: string) =>
  new ValidationError([{ field, rule, message }]);

const assertKeyPart = (field: 'pk' | 'sk', value: unknown, maxBytes: number): void => {
  if (typeof value !== 'string' || value.length === 0 || !fitsUtf8(value, maxBytes)) {
    throw invalid(`key.${field}`, 'item_key', `must be a string of 1 to ${maxBytes} UTF-8 bytes`);
  }
};

export const assertPartitionKey = (pk: string): void => assertKeyPart('pk', pk, MAX_PK_BYTES);

export const assertItemKey = (key: ItemKey): void => {
  assertKeyPart('pk', key.pk, MAX_PK_BYTES);
  assertKeyPart('sk', key.sk, MAX_SK_BYTES);
};

/** The sort keys a query selects: a prefix ('' for all), or inclusive bounds; never both. */
export interface SortKeySelection {
  readonly prefix: string;
  readonly gte?: string;
  readonly lte?: string;
  /** True when `gte` lies above `lte`: no key can match (DynamoDB would refuse such a BETWEEN). */
  readonly empty: boolean;
}

/** Checks `prefix` and `range` of a query as DynamoDB would, plus the rule that the two do not mix. */
export const resolveSortKeySelection = (
  options: Pick<QueryOptions, 'prefix' | 'range'>,
): SortKeySelection => {
  const prefix = options.prefix ?? '';
  const range = options.range;
  if (range === undefined) return { prefix, empty: false };
  if (prefix !== '') throw invalid('range', 'exclusive', 'cannot be combined with prefix');
  for (const bound of ['gte', 'lte'] as const) {
    const value: unknown = range[bound];
    const valid =
      value === undefined || (typeof value === 'string' && value.length > 0 && fitsUtf8(value, MAX_SK_BYTES));
    if (!valid) {
      throw invalid(`range.${bound}`, 'item_key', `must be a string of 1 to ${MAX_SK_BYTES} UTF-8 bytes`);
    }
  }
  const { gte, lte } = range;
  return {
    prefix,
    ...(gte === undefined ? {} : { gte }),
    ...(lte === undefined ? {} : { lte }),
    empty: gte !== undefined && lte !== undefined && compareUtf8(gte, lte) > 0,
  };
};

export const assertCondition = (condition: WriteCondition | undefined): void => {
  if (condition === undefined || 'exists' in condition) return;
  if (!Number.isSafeInteger(condition.rev) || condition.rev < 0) {
    throw invalid('condition.rev', 'revision', 'must be a non-negative integer');
  }
};

/**
 * Checks every number in `value`, which sits at `key` below `parent`: the path is joined only for an
 * error, and a list is made only per nested object (building `a.b.c` for every member of every write
 * cost more than the checks).
 */
const assertJson = (value: JsonValue, parent: readonly (string | number)[], key: string | number): void => {
  if (typeof value === 'number') {
    // The DynamoDB marshaller refuses numbers it cannot hold exactly; refuse them everywhere.
    const magnitude = Math.abs(value);
    if (!Number.isFinite(value) || magnitude > Number.MAX_SAFE_INTEGER) {
      throw invalid([...parent, key].join('.'), 'number_range', 'numbers must lie within ±(2^53 - 1)');
    }
    if (magnitude !== 0 && magnitude < MIN_NUMBER_MAGNITUDE) {
      throw invalid(
        [...parent, key].join('.'),
        'number_range',
        'non-zero numbers must be at least 1e-130 in magnitude',
      );
    }
  } else if (value !== null && typeof value === 'object') {
    const path = [...parent, key];
    if (Array.isArray(value)) {
      value.forEach((entry, index) => {
        assertJson(entry, path, index);
      });
    } else {
      // for…in rather than Object.entries: no array of pairs per object on every write.
      for (const member in value) {
        const entry = value[member];
        if (entry !== undefined && Object.hasOwn(value, member)) assertJson(entry, path, member);
      }
    }
  }
};

/** DynamoDB's limit on one item, attribute names and values included. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The size DynamoDB counts for a value (its documented rules: UTF-8 strings, numbers up to 21 bytes,
 * 1 byte for booleans and null, 3 bytes per map or list plus 1 per element, attribute names as
 * UTF-8). Numbers are counted at their maximum, so the estimate errs towards refusing.
 */
const storedSize = (value: JsonValue, bytes: (text: string) => number): number => {
  if (typeof value === 'string') return bytes(value);
  if (typeof value === 'number') return 21;
  if (value === null || typeof value === 'boolean') return 1;
  if (Array.isArray(value))
    return value.reduce<number>((sum, entry) => sum + 1 + storedSize(entry, bytes), 3);
  let sum = 3;
  for (const key in value) {
    const entry = value[key];
    if (entry !== undefined && Object.hasOwn(value, key)) sum += 1 + bytes(key) + storedSize(entry, bytes);
  }
  return sum;
};

const exactBytes = (text: string): number => Buffer.byteLength(text, 'utf8');
/** At least the UTF-8 size (a UTF-16 code unit takes at most 3 bytes), without reading the string. */
const boundBytes = (text: string): number => text.length * 3;

/** The size DynamoDB counts for an item: measured exactly only when the cheap upper bound is over the limit. */
const itemSize = (op: { readonly pk?: string; readonly sk?: string; readonly data: unknown }): number => {
  const size = (bytes: (text: string) => number) =>
    storedSize(op.data as JsonValue, bytes) +
    bytes(op.pk ?? '') +
    bytes(op.sk ?? '') +
    'pkskrevdataexpiresAt'.length +
    2 * 21;
  const bound = size(boundBytes);
  return bound <= MAX_ITEM_BYTES ? bound : size(exactBytes);
};

export const assertPutInput = (op: {
  readonly pk?: string;
  readonly sk?: string;
  readonly data: unknown;
  readonly expiresAt?: number | undefined;
  readonly condition?: WriteCondition | undefined;
}): void => {
  if (op.data === null || typeof op.data !== 'object' || Array.isArray(op.data)) {
    throw invalid('data', 'object', 'must be a JSON object');
  }
  assertJson(op.data as JsonValue, [], 'data');
  // Both adapters refuse what DynamoDB would refuse, so a write that succeeds locally succeeds in the cloud.
  const bytes = itemSize(op);
  if (bytes > MAX_ITEM_BYTES) throw new ItemTooLargeError(bytes, MAX_ITEM_BYTES);
  if (op.expiresAt !== undefined && (!Number.isSafeInteger(op.expiresAt) || op.expiresAt <= 0)) {
    throw invalid('expiresAt', 'epoch_seconds', 'must be a positive integer of epoch seconds');
  }
  assertCondition(op.condition);
};

const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Checks the order of `putIfNewer`: plain member names, both stores address them inside `data`. */
export const assertRecencyOrder = (order: RecencyOrder): void => {
  for (const part of ['number', 'tieBreak'] as const) {
    if (typeof order[part] !== 'string' || !MEMBER_NAME.test(order[part])) {
      throw invalid(
        `order.${part}`,
        'member_name',
        'must be letters, digits or _, not starting with a digit',
      );
    }
  }
};

/** Checks one item of `putIfNewer`: a valid put whose data holds the order's number and string. */
export const assertNewerPut = (op: NewerPutOp, order: RecencyOrder, index: number): void => {
  assertItemKey(op);
  assertPutInput(op);
  if (typeof op.data[order.number] !== 'number') {
    throw invalid(`ops.${index}.data.${order.number}`, 'number', 'must be a number (the order)');
  }
  if (typeof op.data[order.tieBreak] !== 'string') {
    throw invalid(`ops.${index}.data.${order.tieBreak}`, 'string', 'must be a string (the tie-break)');
  }
};

/** Checks a transaction as DynamoDB would: at most 100 ops, each item at most once. */
export const assertTransaction = (ops: readonly WriteOp[]): void => {
  if (ops.length > MAX_TRANSACTION_OPS) {
    throw invalid('ops', 'max_items', `a transaction holds at most ${MAX_TRANSACTION_OPS} operations`);
  }
  const seen = new Set<string>();
  ops.forEach((op, index) => {
    assertItemKey(op);
    if (op.kind === 'put') assertPutInput(op);
    else assertCondition(op.condition);
    const id = keyId(op);
    if (seen.has(id)) throw invalid(`ops.${index}`, 'unique_item', 'a transaction may touch each item once');
    seen.add(id);
  });
};

/** A string that identifies a key, for maps and sets. */
export const keyId = (key: ItemKey): string => JSON.stringify([key.pk, key.sk]);

/** Epoch seconds; an item whose `expiresAt` is at or before this is dead. */
export const epochSeconds = (epochMs: number): number => Math.floor(epochMs / 1000);
