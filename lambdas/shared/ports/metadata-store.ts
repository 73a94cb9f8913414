/**
 * The metadata store: items addressed by a partition key and a sort key, as in a single-table
 * DynamoDB design. Every item carries a revision (`rev`) the store raises by one on each write, so
 * read-modify-write is a conditional write on the revision read — the pattern DynamoDB needs
 * (a version attribute + ConditionExpression) made the only way to do it.
 *
 * Adapters: DynamoDB (cloud) and SQLite (local). test/contract/metadata-store.contract.ts holds them
 * to the same behaviour.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

export interface Item<T extends JsonObject = JsonObject> extends ItemKey {
  /** 1 after the first write, +1 on every later write. */
  readonly rev: number;
  readonly data: T;
  /** Epoch seconds after which the item is dead: never returned by reads, removed lazily. */
  readonly expiresAt?: number;
}

/**
 * Condition on the current state of the item a write touches:
 * - `{ rev: 0 }` — the item must not exist (create only);
 * - `{ rev: n }` — the item must exist at exactly revision n (optimistic concurrency);
 * - `{ exists: true }` — the item must exist, any revision.
 */
export type WriteCondition = { readonly rev: number } | { readonly exists: true };

export interface PutOp<T extends JsonObject = JsonObject> extends ItemKey {
  readonly kind: 'put';
  readonly data: T;
  readonly expiresAt?: number;
  readonly condition?: WriteCondition;
}

export interface DeleteOp extends ItemKey {
  readonly kind: 'delete';
  readonly condition?: WriteCondition;
}

/** Asserts a condition on an item the transaction does not write (DynamoDB ConditionCheck). */
export interface CheckOp extends ItemKey {
  readonly kind: 'check';
  readonly condition: WriteCondition;
}

export type WriteOp = PutOp | DeleteOp | CheckOp;

/**
 * Inclusive bounds on sort keys, compared as UTF-8 bytes (DynamoDB's order): `gte` alone, `lte` alone,
 * or both (DynamoDB's BETWEEN). Bounds are non-empty strings of at most 1024 UTF-8 bytes; a range whose
 * `gte` lies above its `lte` is empty.
 */
export interface SortKeyRange {
  readonly gte?: string;
  readonly lte?: string;
}

export interface QueryOptions {
  /** Only sort keys that start with this prefix. Cannot be combined with `range`. */
  readonly prefix?: string;
  /** Only sort keys within these inclusive bounds. Cannot be combined with `prefix`. */
  readonly range?: SortKeyRange;
  /** Page size, 1..1000; default 100. */
  readonly limit?: number;
  /** Opaque token from a previous page. */
  readonly cursor?: string;
  /** Newest-first when sort keys encode time; default ascending (byte order of UTF-8 sort keys). */
  readonly descending?: boolean;
}

export interface Page<T> {
  readonly items: T[];
  /** Present only when another page has at least one item. */
  readonly cursor?: string;
}

/**
 * How `putIfNewer` tells newer from older: by two members of the items' `data`, a number compared
 * first and a string that breaks ties (compared as UTF-8 bytes, DynamoDB's order). Names are plain
 * identifiers (letters, digits, `_`), as both stores address them inside `data`.
 */
export interface RecencyOrder {
  /** Member holding a number: the greater, the newer (an event time, a version). */
  readonly number: string;
  /** Member holding a string: at an equal number, the greater, the newer. */
  readonly tieBreak: string;
}

/** An item for `putIfNewer`: its `data` holds the order's two members. */
export interface NewerPutOp<T extends JsonObject = JsonObject> extends ItemKey {
  readonly data: T;
  readonly expiresAt?: number;
}

/** Most operations one transaction may hold (DynamoDB's TransactWriteItems limit). */
export const MAX_TRANSACTION_OPS = 100;
/** Most keys one batch read may hold (DynamoDB's BatchGetItem limit). Adapters split larger batches. */
export const MAX_BATCH_GET_KEYS = 100;

export interface MetadataStore {
  get<T extends JsonObject = JsonObject>(key: ItemKey): Promise<Item<T> | undefined>;
  /** Reads many keys in as few round trips as the backend allows; result order follows `keys`, missing → undefined. */
  batchGet<T extends JsonObject = JsonObject>(keys: readonly ItemKey[]): Promise<(Item<T> | undefined)[]>;
  /** Writes one item; throws ConditionFailedError when `condition` does not hold. Returns the new revision. */
  put<T extends JsonObject>(op: Omit<PutOp<T>, 'kind'>): Promise<Item<T>>;
  /** Removes one item; throws ConditionFailedError when `condition` does not hold. */
  delete(op: Omit<DeleteOp, 'kind'>): Promise<void>;
  /** All writes happen or none; ConditionFailedError names the failing op's index when known. */
  transact(ops: readonly WriteOp[]): Promise<void>;
  /**
   * Writes each item unless the live item at its key is as new or newer by `order`, judged by the store
   * itself as it writes (no read first, so writers that race converge on the newest whatever order they
   * commit in; an older write neither replaces nor refreshes anything). A live item that lacks the
   * order's number counts as oldest. Items are written independently, not as one transaction; each
   * write raises `rev` as `put` does. Resolves to whether each item was written, in the order of `ops`.
   */
  putIfNewer(ops: readonly NewerPutOp[], order: RecencyOrder): Promise<boolean[]>;
  /** Items of one partition in sort-key order. */
  query<T extends JsonObject = JsonObject>(pk: string, options?: QueryOptions): Promise<Page<Item<T>>>;
}
