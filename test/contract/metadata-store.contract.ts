/**
 * The one behaviour every MetadataStore adapter must show; each adapter's test file runs it.
 * Tests get a fresh, empty store and a manual clock (epoch ms) the store reads "now" from.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, ItemTooLargeError, ValidationError } from '../../lambdas/shared/errors';
import type {
  ItemKey,
  JsonObject,
  MetadataStore,
  QueryOptions,
  WriteOp,
} from '../../lambdas/shared/ports/metadata-store';

export interface ManualClock {
  now(): number;
  advance(ms: number): void;
}

export const createManualClock = (startMs = Date.UTC(2026, 10, 28, 10)): ManualClock => {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
};

export interface MetadataStoreFixture {
  readonly store: MetadataStore;
  /** The clock the store was built with. */
  readonly clock: ManualClock;
  dispose(): Promise<void>;
}

/** Resolves to what `promise` rejected with, or fails the test if it fulfilled. */
const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  const outcome = await promise.then(
    () => ({ fulfilled: true as const }),
    (error: unknown) => ({ fulfilled: false as const, error }),
  );
  expect(outcome.fulfilled, 'expected a rejection').toBe(false);
  return outcome.fulfilled ? undefined : outcome.error;
};

// Byte order of the UTF-8 encodings. UTF-16 order (JS's default sort) puts the emoji before U+FF5E.
const UTF8_ORDER = ['Z', 'a', 'é', '\uFF5E', '😀'];

export const describeMetadataStoreContract = (name: string, makeStore: () => Promise<MetadataStoreFixture>) =>
  describe(`MetadataStore contract: ${name}`, () => {
    let store: MetadataStore;
    let clock: ManualClock;
    let dispose: () => Promise<void>;
    const nowSeconds = () => Math.floor(clock.now() / 1000);

    beforeEach(async () => {
      ({ store, clock, dispose } = await makeStore());
    });
    afterEach(async () => {
      await dispose();
    });

    const seed = async (pk: string, sks: readonly string[]) => {
      await Promise.all(sks.map((sk) => store.put({ pk, sk, data: { sk } })));
    };
    const sortKeys = async (pk: string, options?: QueryOptions) =>
      (await store.query(pk, options)).items.map((item) => item.sk);
    /** Follows cursors to the end; each entry is one page's sort keys. */
    const allPages = async (pk: string, options: QueryOptions) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query(pk, { ...options, cursor });
        pages.push(page.items.map((item) => item.sk));
        cursor = page.cursor;
      } while (cursor !== undefined && pages.length < 50);
      return pages;
    };

    describe('get and put', () => {
      it('refuses an item above 400 KB as stored (3-byte characters count thrice) and keeps the old one', async () => {
        await store.put({ pk: 'p', sk: 'big', data: { note: 'small' } });
        // 140k × '€' is 420 KB in UTF-8 though only 140k characters; 130k × '€' (390 KB) fits.
        const tooBig = { note: '€'.repeat(140_000) };
        const fits = { note: '€'.repeat(130_000) };

        await expect(store.put({ pk: 'p', sk: 'big', data: tooBig })).rejects.toBeInstanceOf(
          ItemTooLargeError,
        );
        await expect(
          store.transact([{ kind: 'put', pk: 'p', sk: 'big2', data: tooBig }]),
        ).rejects.toBeInstanceOf(ItemTooLargeError);
        expect((await store.get({ pk: 'p', sk: 'big' }))?.data).toEqual({ note: 'small' });
        expect((await store.put({ pk: 'p', sk: 'fits', data: fits })).rev).toBe(1);
      });

      it('returns undefined for a missing item', async () => {
        expect(await store.get({ pk: 'p', sk: 'missing' })).toBeUndefined();
      });

      it('round-trips nested JSON with unicode, numbers, booleans, null, arrays and empty strings', async () => {
        const data: JsonObject = {
          text: 'naïve café ☕ 日本語 😀',
          empty: '',
          numbers: [0, -17, Math.PI, 1e-7, -0.5, 2 ** 53 - 1, -(2 ** 53 - 1)],
          flags: { yes: true, no: false },
          nothing: null,
          list: [1, 'two', { three: 3 }, [], [null], ''],
          nested: { deeper: { deepest: { value: 'x', emptyObject: {} } } },
        };

        const written = await store.put({ pk: 'p', sk: 's', data });
        const read = await store.get({ pk: 'p', sk: 's' });

        expect(written).toEqual({ pk: 'p', sk: 's', rev: 1, data });
        expect(read).toEqual({ pk: 'p', sk: 's', rev: 1, data });
      });

      it('starts rev at 1 and raises it by one on every write', async () => {
        const revs: number[] = [];
        for (let i = 0; i < 3; i++) revs.push((await store.put({ pk: 'p', sk: 's', data: { i } })).rev);

        expect(revs).toEqual([1, 2, 3]);
        expect(await store.get({ pk: 'p', sk: 's' })).toMatchObject({ rev: 3, data: { i: 2 } });
      });

      it('tells items apart by both pk and sk', async () => {
        await store.put({ pk: 'p', sk: 'a', data: { v: 'pa' } });
        await store.put({ pk: 'p', sk: 'b', data: { v: 'pb' } });
        await store.put({ pk: 'q', sk: 'a', data: { v: 'qa' } });

        const read = await store.batchGet([
          { pk: 'p', sk: 'a' },
          { pk: 'p', sk: 'b' },
          { pk: 'q', sk: 'a' },
        ]);

        expect(read.map((item) => item?.data.v)).toEqual(['pa', 'pb', 'qa']);
      });

      it('rejects unsafe numbers, empty keys and a bad expiresAt with ValidationError', async () => {
        const attempts = [
          store.put({ pk: 'p', sk: 's', data: { n: 2 ** 53 } }),
          store.put({ pk: '', sk: 's', data: {} }),
          store.put({ pk: 'p', sk: '', data: {} }),
          store.put({ pk: 'p', sk: 's', data: {}, expiresAt: 1.5 }),
          store.get({ pk: 'p', sk: '' }),
        ];

        for (const attempt of attempts) expect(await rejection(attempt)).toBeInstanceOf(ValidationError);
        expect(await store.get({ pk: 'p', sk: 's' })).toBeUndefined();
      });
    });

    describe('conditional writes', () => {
      it('{rev: 0} creates once; a second create fails and leaves the first data', async () => {
        await store.put({ pk: 'p', sk: 's', data: { by: 'first' }, condition: { rev: 0 } });

        const error = await rejection(
          store.put({ pk: 'p', sk: 's', data: { by: 'second' }, condition: { rev: 0 } }),
        );

        expect(error).toBeInstanceOf(ConditionFailedError);
        expect(await store.get({ pk: 'p', sk: 's' })).toMatchObject({ rev: 1, data: { by: 'first' } });
      });

      it('{rev: n} writes at the current revision and fails on a stale one', async () => {
        await store.put({ pk: 'p', sk: 's', data: { v: 1 } });
        const second = await store.put({ pk: 'p', sk: 's', data: { v: 2 }, condition: { rev: 1 } });

        const error = await rejection(store.put({ pk: 'p', sk: 's', data: { v: 3 }, condition: { rev: 1 } }));

        expect(second.rev).toBe(2);
        expect(error).toBeInstanceOf(ConditionFailedError);
        expect(await store.get({ pk: 'p', sk: 's' })).toMatchObject({ rev: 2, data: { v: 2 } });
      });

      it('{rev: n} and {exists: true} fail on a missing item and create nothing', async () => {
        const errors = [
          await rejection(store.put({ pk: 'p', sk: 's', data: {}, condition: { rev: 1 } })),
          await rejection(store.put({ pk: 'p', sk: 's', data: {}, condition: { exists: true } })),
        ];

        for (const error of errors) expect(error).toBeInstanceOf(ConditionFailedError);
        expect(await store.get({ pk: 'p', sk: 's' })).toBeUndefined();
      });

      it('{exists: true} updates an existing item at any revision', async () => {
        await store.put({ pk: 'p', sk: 's', data: { v: 1 } });
        await store.put({ pk: 'p', sk: 's', data: { v: 2 } });

        const written = await store.put({ pk: 'p', sk: 's', data: { v: 3 }, condition: { exists: true } });

        expect(written.rev).toBe(3);
        expect(await store.get({ pk: 'p', sk: 's' })).toMatchObject({ rev: 3, data: { v: 3 } });
      });
    });

    describe('delete', () => {
      it('removes the item; removing a missing item without a condition is fine', async () => {
        await store.put({ pk: 'p', sk: 's', data: {} });

        await store.delete({ pk: 'p', sk: 's' });
        await store.delete({ pk: 'p', sk: 'never-written' });

        expect(await store.get({ pk: 'p', sk: 's' })).toBeUndefined();
      });

      it('with a stale rev fails and keeps the item; with the current rev removes it', async () => {
        await store.put({ pk: 'p', sk: 's', data: {} });
        await store.put({ pk: 'p', sk: 's', data: {} });

        const error = await rejection(store.delete({ pk: 'p', sk: 's', condition: { rev: 1 } }));
        const kept = await store.get({ pk: 'p', sk: 's' });
        await store.delete({ pk: 'p', sk: 's', condition: { rev: 2 } });

        expect(error).toBeInstanceOf(ConditionFailedError);
        expect(kept?.rev).toBe(2);
        expect(await store.get({ pk: 'p', sk: 's' })).toBeUndefined();
      });

      it('with {exists: true} fails on a missing item', async () => {
        expect(
          await rejection(store.delete({ pk: 'p', sk: 's', condition: { exists: true } })),
        ).toBeInstanceOf(ConditionFailedError);
      });
    });

    describe('transact', () => {
      it('applies puts, deletes and revision rises together', async () => {
        await store.put({ pk: 'p', sk: 'a', data: { v: 1 } });
        await store.put({ pk: 'p', sk: 'c', data: {} });

        await store.transact([
          { kind: 'put', pk: 'p', sk: 'a', data: { v: 2 }, condition: { rev: 1 } },
          { kind: 'put', pk: 'p', sk: 'b', data: { v: 1 }, condition: { rev: 0 } },
          { kind: 'delete', pk: 'p', sk: 'c', condition: { exists: true } },
        ]);

        expect(await store.get({ pk: 'p', sk: 'a' })).toMatchObject({ rev: 2, data: { v: 2 } });
        expect(await store.get({ pk: 'p', sk: 'b' })).toMatchObject({ rev: 1, data: { v: 1 } });
        expect(await store.get({ pk: 'p', sk: 'c' })).toBeUndefined();
      });

      it('a failing check leaves the earlier puts unapplied and names its index', async () => {
        const error = await rejection(
          store.transact([
            { kind: 'put', pk: 'p', sk: 'a', data: {}, condition: { rev: 0 } },
            { kind: 'put', pk: 'p', sk: 'b', data: {} },
            { kind: 'check', pk: 'p', sk: 'missing', condition: { exists: true } },
          ]),
        );

        expect(error).toBeInstanceOf(ConditionFailedError);
        expect((error as ConditionFailedError).failedIndex).toBe(2);
        expect(
          await store.batchGet([
            { pk: 'p', sk: 'a' },
            { pk: 'p', sk: 'b' },
          ]),
        ).toEqual([undefined, undefined]);
      });

      it('a failing put condition keeps every other item as it was', async () => {
        await store.put({ pk: 'p', sk: 'a', data: { v: 'a' } });
        await store.put({ pk: 'p', sk: 'b', data: { v: 'b' } });
        await store.put({ pk: 'p', sk: 'c', data: { v: 'c' } });

        const error = await rejection(
          store.transact([
            { kind: 'put', pk: 'p', sk: 'a', data: { v: 'changed' } },
            { kind: 'put', pk: 'p', sk: 'b', data: { v: 'changed' }, condition: { rev: 5 } },
            { kind: 'delete', pk: 'p', sk: 'c' },
          ]),
        );

        expect((error as ConditionFailedError).failedIndex).toBe(1);
        const items = await store.batchGet(['a', 'b', 'c'].map((sk) => ({ pk: 'p', sk })));
        expect(items.map((item) => [item?.rev, item?.data.v])).toEqual([
          [1, 'a'],
          [1, 'b'],
          [1, 'c'],
        ]);
      });

      it('a check asserts on an item without writing it', async () => {
        await store.put({ pk: 'p', sk: 'guard', data: { v: 'g' } });

        await store.transact([
          { kind: 'check', pk: 'p', sk: 'guard', condition: { rev: 1 } },
          { kind: 'put', pk: 'p', sk: 'a', data: {} },
        ]);

        expect(await store.get({ pk: 'p', sk: 'guard' })).toMatchObject({ rev: 1, data: { v: 'g' } });
        expect((await store.get({ pk: 'p', sk: 'a' }))?.rev).toBe(1);
      });

      it('rejects two ops on one item and more than 100 ops; an empty transaction does nothing', async () => {
        const twice: WriteOp[] = [
          { kind: 'put', pk: 'p', sk: 'a', data: {} },
          { kind: 'delete', pk: 'p', sk: 'a' },
        ];
        const tooMany: WriteOp[] = Array.from({ length: 101 }, (_, i) => ({
          kind: 'put',
          pk: 'p',
          sk: `k${i}`,
          data: {},
        }));

        expect(await rejection(store.transact(twice))).toBeInstanceOf(ValidationError);
        expect(await rejection(store.transact(tooMany))).toBeInstanceOf(ValidationError);
        await store.transact([]);
        expect(await sortKeys('p')).toEqual([]);
      });
    });

    describe('query', () => {
      it('returns one partition in ascending sort-key order, or descending on request', async () => {
        await seed('p', ['b', 'c', 'a']);
        await seed('other', ['a0', 'b0']);

        expect(await sortKeys('p')).toEqual(['a', 'b', 'c']);
        expect(await sortKeys('p', { descending: true })).toEqual(['c', 'b', 'a']);
        expect(await store.query('empty')).toEqual({ items: [] });
      });

      it('selects sort keys by prefix', async () => {
        await seed('p', ['a', 'a#1', 'a#2', 'a$', 'ab', 'b#1']);
        await seed('q', ['a#3']);

        expect(await sortKeys('p', { prefix: 'a#' })).toEqual(['a#1', 'a#2']);
        expect(await sortKeys('p', { prefix: 'a#', descending: true })).toEqual(['a#2', 'a#1']);
        expect(await sortKeys('p', { prefix: 'zz' })).toEqual([]);
      });

      it('orders sort keys by their UTF-8 bytes, not by UTF-16 code units', async () => {
        await seed('p', ['😀', 'a', '\uFF5E', 'Z', 'é']);
        await seed('u', ['\uFF5E1', '😀', '\uFF5E2', 'é']);

        expect(await sortKeys('p')).toEqual(UTF8_ORDER);
        expect(await sortKeys('p', { descending: true })).toEqual([...UTF8_ORDER].reverse());
        expect(await sortKeys('u', { prefix: '\uFF5E' })).toEqual(['\uFF5E1', '\uFF5E2']);
      });

      it.each([false, true])(
        'pages through every item exactly once (descending: %s); only non-final pages carry a cursor',
        async (descending) => {
          const sks = Array.from({ length: 7 }, (_, i) => `item#${i}`);
          await seed('p', sks);

          const pages = await allPages('p', { limit: 3, descending });

          expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
          expect(pages.flat()).toEqual(descending ? [...sks].reverse() : sks);
        },
      );

      it('returns no cursor when the items fill the last page exactly', async () => {
        await seed('p', ['a', 'b', 'c', 'd', 'e', 'f', 'x']);

        const first = await store.query('p', { prefix: '', limit: 3 });
        const second = await store.query('p', { limit: 3, cursor: first.cursor });
        const third = await store.query('p', { limit: 1, cursor: second.cursor });
        const whole = await store.query('p', { limit: 7 });

        expect(second.items.map((item) => item.sk)).toEqual(['d', 'e', 'f']);
        expect(second.cursor).toBeDefined();
        expect(third).toMatchObject({ items: [{ sk: 'x' }] });
        expect(third.cursor).toBeUndefined();
        expect(whole.cursor).toBeUndefined();
      });

      it('keeps a prefix across pages', async () => {
        await seed('p', ['a#1', 'a#2', 'a#3', 'b#1', 'b#2']);

        expect(await allPages('p', { prefix: 'a#', limit: 2 })).toEqual([['a#1', 'a#2'], ['a#3']]);
      });

      it('serves 100 items by default and up to 1000 on request', async () => {
        const sks = Array.from({ length: 101 }, (_, i) => `k${String(i).padStart(3, '0')}`);
        await seed('p', sks);

        const byDefault = await store.query('p');
        const large = await store.query('p', { limit: 1000 });

        expect(byDefault.items).toHaveLength(100);
        expect(byDefault.cursor).toBeDefined();
        expect(large.items.map((item) => item.sk)).toEqual(sks);
        expect(large.cursor).toBeUndefined();
      });

      it('rejects a limit outside 1..1000 and a malformed or foreign cursor', async () => {
        await seed('p', ['a#1', 'a#2', 'b#1']);
        const valid = (await store.query('p', { prefix: 'a#', limit: 1 })).cursor ?? '';
        const token = (text: string) => Buffer.from(text).toString('base64url');
        const malformed = [
          'not a cursor!',
          'YQ==',
          '_w',
          valid.slice(0, -2),
          token('{"k":"a#1"}'),
          token('[""]'),
        ];

        const limitErrors = await Promise.all(
          [0, 1001, 2.5].map((limit) => rejection(store.query('p', { limit }))),
        );
        const cursorErrors = await Promise.all(
          malformed.map((cursor) => rejection(store.query('p', { cursor }))),
        );
        const foreign = await rejection(store.query('p', { prefix: 'b#', cursor: valid }));

        for (const error of limitErrors) expect(error).toBeInstanceOf(ValidationError);
        for (const error of [...cursorErrors, foreign]) {
          expect((error as ValidationError).issues).toEqual([
            expect.objectContaining({ field: 'query.nextToken', rule: 'cursor' }),
          ]);
        }
        expect(await store.query('p', { prefix: 'a#', cursor: valid })).toMatchObject({
          items: [{ sk: 'a#2' }],
        });
      });
    });

    describe('query with a sort-key range', () => {
      const sks = ['a', 'b', 'b#1', 'b#2', 'c', 'd', 'e'];

      it('includes both bounds; gte alone and lte alone are open on the other side', async () => {
        await seed('p', sks);
        await seed('q', ['c']);

        expect(await sortKeys('p', { range: { gte: 'b#1', lte: 'd' } })).toEqual(['b#1', 'b#2', 'c', 'd']);
        expect(await sortKeys('p', { range: { gte: 'c' } })).toEqual(['c', 'd', 'e']);
        expect(await sortKeys('p', { range: { lte: 'b' } })).toEqual(['a', 'b']);
        expect(await sortKeys('p', { range: { gte: 'b', lte: 'b' } })).toEqual(['b']);
        expect(await sortKeys('p', { range: {} })).toEqual(sks);
      });

      it('treats bounds that match no stored key as bounds, not as keys', async () => {
        await seed('p', sks);

        expect(await sortKeys('p', { range: { gte: 'b$', lte: 'cz' } })).toEqual(['c']);
        expect(await sortKeys('p', { range: { gte: '0', lte: 'a' } })).toEqual(['a']);
        expect(await sortKeys('p', { range: { gte: 'f' } })).toEqual([]);
      });

      it('is empty when gte lies above lte', async () => {
        await seed('p', sks);

        expect(await store.query('p', { range: { gte: 'd', lte: 'b' } })).toEqual({ items: [] });
      });

      it('returns the range in descending order on request', async () => {
        await seed('p', sks);

        expect(await sortKeys('p', { range: { gte: 'b', lte: 'd' }, descending: true })).toEqual([
          'd',
          'c',
          'b#2',
          'b#1',
          'b',
        ]);
        expect(await sortKeys('p', { range: { lte: 'c' }, descending: true, limit: 1 })).toEqual(['c']);
      });

      it('compares bounds by UTF-8 bytes', async () => {
        await seed('p', UTF8_ORDER);

        expect(await sortKeys('p', { range: { gte: 'é', lte: '😀' } })).toEqual(['é', '\uFF5E', '😀']);
        expect(await sortKeys('p', { range: { lte: '\uFF5E' } })).toEqual(['Z', 'a', 'é', '\uFF5E']);
        expect(await sortKeys('p', { range: { gte: '😀', lte: '\uFF5E' } })).toEqual([]);
      });

      it.each([false, true])(
        'pages through a range exactly once (descending: %s); the last page carries no cursor',
        async (descending) => {
          const many = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`);
          await seed('p', many);
          const inside = many.slice(2, 10);

          const pages = await allPages('p', { range: { gte: 'k02', lte: 'k09' }, limit: 3, descending });

          expect(pages.map((page) => page.length)).toEqual([3, 3, 2]);
          expect(pages.flat()).toEqual(descending ? [...inside].reverse() : inside);
        },
      );

      it('hides expired items inside the range', async () => {
        await seed('p', ['a', 'c']);
        await store.put({ pk: 'p', sk: 'b', data: {}, expiresAt: nowSeconds() + 1 });
        clock.advance(1_000);

        expect(await sortKeys('p', { range: { gte: 'a', lte: 'c' } })).toEqual(['a', 'c']);
      });

      it('refuses a range with a prefix, an empty or oversized bound, and a cursor from outside it', async () => {
        await seed('p', sks);
        const cursor = (await store.query('p', { range: { gte: 'a', lte: 'b#2' }, limit: 1 })).cursor;
        const tooLong = 'x'.repeat(1025);

        const errors = [
          await rejection(store.query('p', { prefix: 'b', range: { gte: 'b' } })),
          await rejection(store.query('p', { range: { gte: '' } })),
          await rejection(store.query('p', { range: { lte: tooLong } })),
          await rejection(store.query('p', { range: { gte: 'c' }, cursor })),
          await rejection(store.query('p', { range: { gte: 'b', lte: 'a' }, cursor })),
        ];

        expect(cursor).toBeDefined();
        expect(errors.map((error) => (error as ValidationError).issues?.[0])).toEqual([
          expect.objectContaining({ field: 'range', rule: 'exclusive' }),
          expect.objectContaining({ field: 'range.gte', rule: 'item_key' }),
          expect.objectContaining({ field: 'range.lte', rule: 'item_key' }),
          expect.objectContaining({ field: 'query.nextToken', rule: 'cursor' }),
          expect.objectContaining({ field: 'query.nextToken', rule: 'cursor' }),
        ]);
        for (const error of errors) expect(error).toBeInstanceOf(ValidationError);
      });
    });

    describe('batchGet', () => {
      it('answers in the order of the keys, with undefined for missing keys and repeats allowed', async () => {
        await seed('p', ['a', 'b']);
        const keys: ItemKey[] = ['b', 'missing', 'a', 'b'].map((sk) => ({ pk: 'p', sk }));

        const items = await store.batchGet(keys);

        expect(items.map((item) => item?.sk)).toEqual(['b', undefined, 'a', 'b']);
        expect(await store.batchGet([])).toEqual([]);
      });

      it('reads more than 100 keys', async () => {
        const sks = Array.from({ length: 150 }, (_, i) => `k${i}`);
        await seed('p', sks);
        const wanted = [...sks, ...Array.from({ length: 100 }, (_, i) => `missing${i}`)].reverse();

        const items = await store.batchGet(wanted.map((sk) => ({ pk: 'p', sk })));

        expect(items.map((item) => item?.sk)).toEqual(
          wanted.map((sk) => (sk.startsWith('k') ? sk : undefined)),
        );
      });
    });

    describe('expiry', () => {
      it('shows an item until expiresAt and hides it from get, batchGet and query from then on', async () => {
        const expiresAt = nowSeconds() + 60;
        await store.put({ pk: 'p', sk: 's', data: { v: 1 }, expiresAt });
        clock.advance(59_000);
        const before = await store.get({ pk: 'p', sk: 's' });

        clock.advance(1_000);

        expect(before).toMatchObject({ expiresAt, data: { v: 1 } });
        expect(await store.get({ pk: 'p', sk: 's' })).toBeUndefined();
        expect(await store.batchGet([{ pk: 'p', sk: 's' }])).toEqual([undefined]);
        expect(await store.query('p')).toEqual({ items: [] });
      });

      it('lets {rev: 0} and unconditional writes recreate an expired item from rev 1', async () => {
        await store.put({ pk: 'p', sk: 'a', data: {}, expiresAt: nowSeconds() + 1 });
        await store.put({ pk: 'p', sk: 'a', data: {}, expiresAt: nowSeconds() + 1 });
        await store.put({ pk: 'p', sk: 'b', data: {}, expiresAt: nowSeconds() + 1 });
        await store.put({ pk: 'p', sk: 'c', data: {}, expiresAt: nowSeconds() + 1 });
        clock.advance(2_000);

        const created = await store.put({ pk: 'p', sk: 'a', data: { v: 'new' }, condition: { rev: 0 } });
        const overwritten = await store.put({ pk: 'p', sk: 'b', data: { v: 'new' } });
        await store.transact([{ kind: 'put', pk: 'p', sk: 'c', data: { v: 'new' } }]);

        expect(created.rev).toBe(1);
        expect(overwritten.rev).toBe(1);
        const items = await store.batchGet(['a', 'b', 'c'].map((sk) => ({ pk: 'p', sk })));
        expect(items).toEqual(['a', 'b', 'c'].map((sk) => ({ pk: 'p', sk, rev: 1, data: { v: 'new' } })));
      });

      it('fails conditions that need an expired item to exist', async () => {
        await store.put({ pk: 'p', sk: 's', data: {}, expiresAt: nowSeconds() + 1 });
        clock.advance(1_000);

        const errors = [
          await rejection(store.put({ pk: 'p', sk: 's', data: {}, condition: { rev: 1 } })),
          await rejection(store.put({ pk: 'p', sk: 's', data: {}, condition: { exists: true } })),
          await rejection(store.delete({ pk: 'p', sk: 's', condition: { exists: true } })),
          await rejection(store.transact([{ kind: 'check', pk: 'p', sk: 's', condition: { rev: 1 } }])),
        ];

        for (const error of errors) expect(error).toBeInstanceOf(ConditionFailedError);
      });

      it('drops the expiry when an item is written again without one', async () => {
        await store.put({ pk: 'p', sk: 's', data: {}, expiresAt: nowSeconds() + 10 });
        await store.put({ pk: 'p', sk: 's', data: { v: 2 } });

        clock.advance(60_000);

        expect(await store.get({ pk: 'p', sk: 's' })).toEqual({ pk: 'p', sk: 's', rev: 2, data: { v: 2 } });
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of 20 concurrent creates of one key win', async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.put({ pk: 'p', sk: 's', data: { i }, condition: { rev: 0 } }),
          ),
        );

        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
        expect(won).toHaveLength(1);
        expect(lost.every((reason) => reason instanceof ConditionFailedError)).toBe(true);
        expect((await store.get({ pk: 'p', sk: 's' }))?.rev).toBe(1);
      });

      it('counts to 20 with 20 concurrent read-modify-write increments that retry on conflict', async () => {
        await store.put({ pk: 'p', sk: 'counter', data: { count: 0 } });
        const increment = async (): Promise<void> => {
          for (;;) {
            const current = await store.get<{ count: number }>({ pk: 'p', sk: 'counter' });
            if (!current) throw new Error('counter vanished');
            try {
              await store.put({
                pk: 'p',
                sk: 'counter',
                data: { count: current.data.count + 1 },
                condition: { rev: current.rev },
              });
              return;
            } catch (error) {
              if (!(error instanceof ConditionFailedError)) throw error;
            }
          }
        };

        await Promise.all(Array.from({ length: 20 }, increment));

        expect(await store.get({ pk: 'p', sk: 'counter' })).toMatchObject({ rev: 21, data: { count: 20 } });
      });
    });
  });
