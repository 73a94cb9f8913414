import { beforeEach, describe, expect, it } from 'vitest';
import { ItemTooLargeError, ValidationError } from '../../../lambdas/shared/errors';
import type { JsonObject, MetadataStore } from '../../../lambdas/shared/ports/metadata-store';
import { type FixtureAccessor, rejection } from './shared';

export const describeGetAndPut = (fixture: FixtureAccessor) => {
  let store: MetadataStore;
  beforeEach(() => {
    ({ store } = fixture());
  });

  describe('get and put', () => {
    it('refuses an item above 400 KB as stored (3-byte characters count thrice) and keeps the old one', async () => {
      await store.put({ pk: 'p', sk: 'big', data: { note: 'small' } });
      // 140k × '€' is 420 KB in UTF-8 though only 140k characters; 130k × '€' (390 KB) fits.
      const tooBig = { note: '€'.repeat(140_000) };
      const fits = { note: '€'.repeat(130_000) };

      await expect(store.put({ pk: 'p', sk: 'big', data: tooBig })).rejects.toBeInstanceOf(ItemTooLargeError);
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
};
