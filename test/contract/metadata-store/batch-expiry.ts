import { beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError } from '../../../lambdas/shared/errors';
import type { ItemKey, MetadataStore } from '../../../lambdas/shared/ports/metadata-store';
import { contractHelpers, type FixtureAccessor, type ManualClock, rejection } from './shared';

export const describeBatchGetAndExpiry = (fixture: FixtureAccessor) => {
  let store: MetadataStore;
  let clock: ManualClock;
  beforeEach(() => {
    ({ store, clock } = fixture());
  });
  const { nowSeconds, seed } = contractHelpers(fixture);

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
};
