import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError, PlatformError, TransactionConflictError } from '../../errors';
import type { Clock } from '../../ports/clock';
import {
  type DeleteOp,
  type Item,
  type ItemKey,
  type JsonObject,
  MAX_BATCH_GET_KEYS,
  type MetadataStore,
  type NewerPutOp,
  type Page,
  type PutOp,
  type QueryOptions,
  type RecencyOrder,
  type WriteCondition,
  type WriteOp,
} from '../../ports/metadata-store';
import { decodeCursor, encodeCursor, resolvePageSize } from '../cursor';
import {
  assertCondition,
  assertItemKey,
  assertNewerPut,
  assertPartitionKey,
  assertPutInput,
  assertRecencyOrder,
  assertTransaction,
  epochSeconds,
  keyId,
  resolveSortKeySelection,
  type SortKeySelection,
} from '../metadata-checks';
import { ABSENT, type Expression, expression, isNamedError, LIVE } from './dynamodb-expressions';
import { putAllIfNewer } from './dynamodb-newer-puts';

export interface DynamoDbMetadataStoreOptions {
  readonly tableName: string;
  readonly client?: DynamoDBDocumentClient;
  /** Decides which items are live (DynamoDB's TTL deletes late, so reads filter): the composition root's one time source. */
  readonly clock: Clock;
}

type RawItem = Record<string, unknown>;

// Writing over an expired item must restart its revision, which one update expression cannot decide;
// such writes fail their condition, the dead item is removed, and the write is tried again.
const MAX_ATTEMPTS = 5;

/** MetadataStore on one DynamoDB table (pk, sk, rev, data, expiresAt). */
export class DynamoDbMetadataStore implements MetadataStore {
  readonly #table: string;
  readonly #client: DynamoDBDocumentClient;
  readonly #clock: Clock;

  constructor(options: DynamoDbMetadataStoreOptions) {
    this.#table = options.tableName;
    this.#client =
      options.client ??
      DynamoDBDocumentClient.from(new DynamoDBClient({}), {
        marshallOptions: { removeUndefinedValues: true },
      });
    this.#clock = options.clock;
  }

  async get<T extends JsonObject = JsonObject>(key: ItemKey): Promise<Item<T> | undefined> {
    assertItemKey(key);
    const out = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
    );
    return liveItem<T>(out.Item, this.#nowSeconds());
  }

  async batchGet<T extends JsonObject = JsonObject>(
    keys: readonly ItemKey[],
  ): Promise<(Item<T> | undefined)[]> {
    keys.forEach(assertItemKey);
    // BatchGetItem refuses duplicate keys in one request.
    const unique = [...new Map(keys.map((key) => [keyId(key), { pk: key.pk, sk: key.sk }])).values()];
    const chunks: ItemKey[][] = [];
    for (let i = 0; i < unique.length; i += MAX_BATCH_GET_KEYS)
      chunks.push(unique.slice(i, i + MAX_BATCH_GET_KEYS));
    const found = new Map<string, RawItem>();
    await Promise.all(chunks.map((chunk) => this.#batchGetChunk(chunk, found)));
    const now = this.#nowSeconds();
    return keys.map((key) => liveItem<T>(found.get(keyId(key)), now));
  }

  async put<T extends JsonObject>(op: Omit<PutOp<T>, 'kind'>): Promise<Item<T>> {
    assertItemKey(op);
    assertPutInput(op);
    for (let attempt = 1; ; attempt++) {
      const update = putExpression(op, this.#nowSeconds());
      try {
        const out = await this.#client.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: op.pk, sk: op.sk },
            ...update,
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return {
          pk: op.pk,
          sk: op.sk,
          rev: Number(out.Attributes?.rev),
          data: op.data,
          ...(op.expiresAt === undefined ? {} : { expiresAt: op.expiresAt }),
        };
      } catch (error) {
        if (!isNamedError(error, 'ConditionalCheckFailedException')) throw error;
        if (op.condition !== undefined || attempt >= MAX_ATTEMPTS) {
          throw new ConditionFailedError(`condition failed on ${keyId(op)}`, { cause: error });
        }
        await this.#purgeExpired(op);
      }
    }
  }

  async delete(op: Omit<DeleteOp, 'kind'>): Promise<void> {
    assertItemKey(op);
    assertCondition(op.condition);
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: op.pk, sk: op.sk },
          ...conditionExpression(op.condition, this.#nowSeconds()),
        }),
      );
    } catch (error) {
      if (!isNamedError(error, 'ConditionalCheckFailedException')) throw error;
      throw new ConditionFailedError(`condition failed on ${keyId(op)}`, { cause: error });
    }
  }

  async transact(ops: readonly WriteOp[]): Promise<void> {
    assertTransaction(ops);
    if (ops.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(new TransactWriteCommand({ TransactItems: this.#transactItems(ops) }));
        return;
      } catch (error) {
        if (!isNamedError(error, 'TransactionCanceledException')) throw error;
        const codes = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.map(
          (r) => r.Code,
        );
        const failed = (codes ?? []).flatMap((code, index) =>
          code === 'ConditionalCheckFailed' ? [index] : [],
        );
        const blocking = failed.find((index) => ops[index]?.condition !== undefined);
        const retry = attempt < MAX_ATTEMPTS;
        if (blocking !== undefined || (failed[0] !== undefined && !retry)) {
          const failedIndex = blocking ?? failed[0];
          throw new ConditionFailedError('transaction condition failed', { cause: error, failedIndex });
        }
        if (failed.length > 0) {
          // Only unconditional puts over expired items failed: clear those and go again.
          await Promise.all(failed.map((index) => this.#purgeExpired(ops[index] as WriteOp)));
        } else if (retry && codes?.includes('TransactionConflict')) {
          // Another transaction held one of the items; DynamoDB asks callers to retry with backoff.
          await sleep(20 * 2 ** attempt * Math.random());
        } else if (codes?.includes('TransactionConflict')) {
          // Still colliding: nothing was written, so callers that retry optimistically may go again.
          throw new TransactionConflictError('transaction kept conflicting with others', { cause: error });
        } else {
          throw error;
        }
      }
    }
  }

  async putIfNewer(ops: readonly NewerPutOp[], order: RecencyOrder): Promise<boolean[]> {
    assertRecencyOrder(order);
    ops.forEach((op, index) => {
      assertNewerPut(op, order, index);
    });
    return putAllIfNewer(
      {
        client: this.#client,
        table: this.#table,
        nowSeconds: () => this.#nowSeconds(),
        purgeExpired: (key) => this.#purgeExpired(key),
      },
      ops,
      order,
    );
  }

  async query<T extends JsonObject = JsonObject>(
    pk: string,
    options: QueryOptions = {},
  ): Promise<Page<Item<T>>> {
    assertPartitionKey(pk);
    const selection = resolveSortKeySelection(options);
    const limit = resolvePageSize(options.limit);
    const after =
      options.cursor === undefined ? undefined : decodeCursor(options.cursor, selection.prefix, selection);
    // DynamoDB refuses a BETWEEN whose lower bound lies above its upper one; such a range is simply empty.
    if (selection.empty) return { items: [] };
    const now = this.#nowSeconds();
    const parts = expression(
      { KeyConditionExpression: keyConditionOf(selection), FilterExpression: LIVE },
      { pk, prefix: selection.prefix, gte: selection.gte, lte: selection.lte, now },
    );
    // One more than a page, so the cursor appears only when the next page has an item. The filter
    // drops expired items after Limit is applied, hence the loop.
    const items: Item<T>[] = [];
    let start: RawItem | undefined = after === undefined ? undefined : { pk, sk: after };
    do {
      const out = await this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          ...parts,
          ScanIndexForward: options.descending !== true,
          Limit: limit + 1 - items.length,
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      for (const raw of out.Items ?? []) {
        const item = liveItem<T>(raw, now);
        if (item) items.push(item);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined && items.length <= limit);
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return items.length > limit && last ? { items: page, cursor: encodeCursor(last.sk) } : { items: page };
  }

  #nowSeconds(): number {
    return epochSeconds(this.#clock.now().getTime());
  }

  async #batchGetChunk(keys: ItemKey[], found: Map<string, RawItem>): Promise<void> {
    let pending: Record<string, unknown>[] = keys.map((key) => ({ pk: key.pk, sk: key.sk }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 8) throw new PlatformError(`BatchGetItem left ${pending.length} keys unprocessed`);
      if (attempt > 1) await sleep(Math.min(1000, 25 * 2 ** attempt) * Math.random());
      const out = await this.#client.send(
        new BatchGetCommand({ RequestItems: { [this.#table]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const raw of out.Responses?.[this.#table] ?? []) found.set(keyId(raw as unknown as ItemKey), raw);
      pending = out.UnprocessedKeys?.[this.#table]?.Keys ?? [];
    }
  }

  /** Removes `key` only if it is expired: it is invisible already, and a live one is never touched. */
  async #purgeExpired(key: ItemKey): Promise<void> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { pk: key.pk, sk: key.sk },
          ...expression({ ConditionExpression: '#exp <= :now' }, { now: this.#nowSeconds() }),
        }),
      );
    } catch (error) {
      if (!isNamedError(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  #transactItems(ops: readonly WriteOp[]): NonNullable<TransactWriteCommandInput['TransactItems']> {
    const now = this.#nowSeconds();
    return ops.map((op) => {
      const common = { TableName: this.#table, Key: { pk: op.pk, sk: op.sk } };
      if (op.kind === 'put') return { Update: { ...common, ...putExpression(op, now) } };
      if (op.kind === 'delete') return { Delete: { ...common, ...conditionExpression(op.condition, now) } };
      return { ConditionCheck: { ...common, ...conditionExpression(op.condition, now) } };
    });
  }
}

const keyConditionOf = (selection: SortKeySelection): string => {
  const { prefix, gte, lte } = selection;
  if (prefix !== '') return '#pk = :pk AND begins_with(#sk, :prefix)';
  if (gte !== undefined && lte !== undefined) return '#pk = :pk AND #sk BETWEEN :gte AND :lte';
  if (gte !== undefined) return '#pk = :pk AND #sk >= :gte';
  if (lte !== undefined) return '#pk = :pk AND #sk <= :lte';
  return '#pk = :pk';
};

const conditionText = (condition: WriteCondition): string => {
  if ('exists' in condition) return `attribute_exists(#pk) AND ${LIVE}`;
  return condition.rev === 0 ? ABSENT : `#rev = :rev AND ${LIVE}`;
};

function conditionExpression(
  condition: WriteCondition,
  now: number,
): Expression<{ ConditionExpression: string }>;
function conditionExpression(condition: WriteCondition | undefined, now: number): Expression;
function conditionExpression(condition: WriteCondition | undefined, now: number): Expression {
  if (condition === undefined) return {};
  return expression(
    { ConditionExpression: conditionText(condition) },
    { now, rev: 'rev' in condition ? condition.rev : 0 },
  );
}

/** UpdateItem parts that write a whole item and set its next revision without reading it first. */
const putExpression = (
  op: Omit<PutOp, 'kind'>,
  now: number,
): Expression<{ UpdateExpression: string; ConditionExpression: string }> => {
  const condition = op.condition;
  let rev: string;
  let check: string;
  if (condition === undefined) {
    rev = 'if_not_exists(#rev, :zero) + :one';
    check = `attribute_not_exists(#pk) OR ${LIVE}`;
  } else {
    rev = 'exists' in condition ? '#rev + :one' : ':next';
    check = conditionText(condition);
  }
  const sets = [`#rev = ${rev}`, '#data = :data', ...(op.expiresAt === undefined ? [] : ['#exp = :exp'])];
  const update = `SET ${sets.join(', ')}${op.expiresAt === undefined ? ' REMOVE #exp' : ''}`;
  const revNow = condition !== undefined && 'rev' in condition ? condition.rev : 0;
  return expression(
    { UpdateExpression: update, ConditionExpression: check },
    { now, zero: 0, one: 1, rev: revNow, next: revNow + 1, data: op.data, exp: op.expiresAt },
  );
};

const liveItem = <T extends JsonObject>(raw: RawItem | undefined, now: number): Item<T> | undefined => {
  if (raw === undefined) return undefined;
  const expiresAt = raw.expiresAt === undefined ? undefined : Number(raw.expiresAt);
  if (expiresAt !== undefined && expiresAt <= now) return undefined;
  return {
    pk: String(raw.pk),
    sk: String(raw.sk),
    rev: Number(raw.rev),
    data: raw.data as T,
    ...(expiresAt === undefined ? {} : { expiresAt }),
  };
};
