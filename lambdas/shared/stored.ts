/**
 * The store boundary: what a capability writes into an item's `data` and how it reads it back. Each
 * capability declares one decoder per stored shape next to the shape (its `records.ts`); a read either
 * returns the type or throws `StoredShapeError` naming the item's key and each field at fault, so a
 * shape that changed fails loudly instead of reading as garbage. Rows become entities here and nowhere
 * else (no casts of `item.data` at the call sites).
 */
import type * as z from 'zod';
import { StoredShapeError } from './errors';
import type { Item, JsonObject } from './ports/metadata-store';

/** Zod output and stored records hold JSON only; this states it where the store wants a JsonObject. */
export const json = (record: object): JsonObject => record as JsonObject;

/** An item's record with the revision that conditional writes on it must name. */
export interface Stored<T> {
  readonly rev: number;
  readonly data: T;
}

/** Reads one stored shape out of an item, or throws StoredShapeError. */
export interface Decoder<T> {
  (item: Item): T;
  /** The item's record with its revision. */
  readonly stored: (item: Item) => Stored<T>;
}

const decoderOf = <T>(decode: (item: Item) => T): Decoder<T> =>
  Object.assign(decode, { stored: (item: Item): Stored<T> => ({ rev: item.rev, data: decode(item) }) });

/**
 * A decoder that checks an item's `data` with a zod schema. The schema checks the shape (every field
 * the readers rely on, with its type; unknown members pass, as items written by a newer version may
 * carry more); the record returned is the stored one itself, not a copy, so reading changes nothing.
 * For reads of a few items a request; hot paths (online rows) use `checkedDecoder`.
 */
export const zodDecoder = <T>(shape: string, schema: z.ZodType): Decoder<T> =>
  decoderOf((item) => {
    const result = schema.safeParse(item.data);
    if (!result.success) {
      throw new StoredShapeError(
        shape,
        item,
        result.error.issues.map((issue) => ({
          field: ['data', ...issue.path.map(String)].join('.'),
          message: issue.message,
        })),
      );
    }
    return item.data as unknown as T;
  });

/**
 * A decoder over a hand-written check, for paths too hot for a schema parse per item: `fault` returns
 * the field at fault (a name inside `data`) and what is wrong with it, or undefined when the data fits.
 */
export const checkedDecoder = <T>(
  shape: string,
  fault: (data: JsonObject) => { readonly field: string; readonly message: string } | undefined,
): Decoder<T> =>
  decoderOf((item) => {
    const problem = fault(item.data);
    if (problem !== undefined) {
      throw new StoredShapeError(shape, item, [{ field: `data.${problem.field}`, message: problem.message }]);
    }
    return item.data as unknown as T;
  });
