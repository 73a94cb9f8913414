import { beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError, ValidationError } from '../../../lambdas/shared/errors';
import type { MetadataStore, WriteOp } from '../../../lambdas/shared/ports/metadata-store';
import { contractHelpers, type FixtureAccessor, rejection } from './shared';

export const describeTransact = (fixture: FixtureAccessor) => {
  let store: MetadataStore;
  beforeEach(() => {
    ({ store } = fixture());
  });
  const { sortKeys } = contractHelpers(fixture);

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
};
