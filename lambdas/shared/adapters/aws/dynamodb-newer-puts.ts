/**
 * DynamoDB's side of `MetadataStore.putIfNewer`: one conditional UpdateItem per item, no read first,
 * the condition on the stored item's order (`#data.<number>`, then `#data.<tieBreak>`), many in flight.
 * DynamoDB compares strings by UTF-8 bytes, as the SQLite store does.
 */
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../errors';
import type { ItemKey, NewerPutOp, RecencyOrder } from '../../ports/metadata-store';
import { keyId } from '../metadata-checks';
import { expression, isNamedError, LIVE } from './dynamodb-expressions';

/** Conditional writes of one putIfNewer call in flight: inside the SDK's 50 sockets, with room to spare. */
const CONCURRENCY = 32;
/** Tries of one item whose refusals keep coming from expired items (removed between tries). */
const MAX_ATTEMPTS = 5;

export interface NewerPutContext {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  readonly nowSeconds: () => number;
  /** Removes the item at `key` only if it is expired. */
  readonly purgeExpired: (key: ItemKey) => Promise<void>;
}

type Texts = Pick<
  ReturnType<typeof expression>,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames'
>;
const textsByOrder = new Map<string, Texts>();

/**
 * The expressions for one order (with or without an expiry): written if absent, or live and older by
 * the order. The same for every item; only the values differ.
 */
const textsOf = (order: RecencyOrder, withExpiry: boolean): Texts => {
  const id = `${order.number}.${order.tieBreak}.${withExpiry}`;
  let texts = textsByOrder.get(id);
  if (!texts) {
    const built = expression(
      {
        UpdateExpression: `SET #rev = if_not_exists(#rev, :zero) + :one, #data = :data${withExpiry ? ', #exp = :exp' : ' REMOVE #exp'}`,
        ConditionExpression:
          `attribute_not_exists(#pk) OR (${LIVE} AND (attribute_not_exists(#data.#order) ` +
          'OR #data.#order < :order OR (#data.#order = :order AND #data.#tie < :tie)))',
      },
      {},
      { '#order': order.number, '#tie': order.tieBreak },
    );
    texts = {
      UpdateExpression: built.UpdateExpression,
      ConditionExpression: built.ConditionExpression,
      ExpressionAttributeNames: built.ExpressionAttributeNames,
    };
    textsByOrder.set(id, texts);
  }
  return texts;
};

/**
 * One item: a refusal returns the stored item (ALL_OLD), so an expired one, whose revision must
 * restart, is removed and the write tried again, while a newer one simply wins, with no other request.
 */
const putIfNewer = async (
  context: NewerPutContext,
  op: NewerPutOp,
  order: RecencyOrder,
): Promise<boolean> => {
  const texts = textsOf(order, op.expiresAt !== undefined);
  for (let attempt = 1; ; attempt++) {
    const now = context.nowSeconds();
    try {
      await context.client.send(
        new UpdateCommand({
          TableName: context.table,
          Key: { pk: op.pk, sk: op.sk },
          ...texts,
          ExpressionAttributeValues: {
            ':now': now,
            ':zero': 0,
            ':one': 1,
            ':data': op.data,
            ':order': op.data[order.number],
            ':tie': op.data[order.tieBreak],
            ...(op.expiresAt === undefined ? {} : { ':exp': op.expiresAt }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (error) {
      if (!isNamedError(error, 'ConditionalCheckFailedException')) throw error;
      const stored = (error as { Item?: { expiresAt?: { N?: string } } }).Item;
      const expiry = stored?.expiresAt?.N;
      if (expiry === undefined || Number(expiry) > now) return false;
      if (attempt >= MAX_ATTEMPTS) {
        throw new ConditionFailedError(`condition failed on ${keyId(op)}`, { cause: error });
      }
      await context.purgeExpired(op);
    }
  }
};

/** Writes checked items, at most CONCURRENCY at a time; whether each was written, in order. */
export const putAllIfNewer = async (
  context: NewerPutContext,
  ops: readonly NewerPutOp[],
  order: RecencyOrder,
): Promise<boolean[]> => {
  const written: boolean[] = new Array(ops.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < ops.length) {
      const index = next++;
      written[index] = await putIfNewer(context, ops[index] as NewerPutOp, order);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ops.length) }, worker));
  return written;
};
