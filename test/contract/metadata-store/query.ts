import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/errors';
import type { MetadataStore } from '../../../lambdas/shared/ports/metadata-store';
import { contractHelpers, type FixtureAccessor, type ManualClock, rejection, UTF8_ORDER } from './shared';

export const describeQuery = (fixture: FixtureAccessor) => {
  let store: MetadataStore;
  let clock: ManualClock;
  beforeEach(() => {
    ({ store, clock } = fixture());
  });
  const { nowSeconds, seed, sortKeys, allPages } = contractHelpers(fixture);

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
};
