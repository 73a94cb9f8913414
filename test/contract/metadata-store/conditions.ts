import { beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError } from '../../../lambdas/shared/errors';
import type { MetadataStore } from '../../../lambdas/shared/ports/metadata-store';
import { type FixtureAccessor, rejection } from './shared';

export const describeConditionsAndDelete = (fixture: FixtureAccessor) => {
  let store: MetadataStore;
  beforeEach(() => {
    ({ store } = fixture());
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
      expect(await rejection(store.delete({ pk: 'p', sk: 's', condition: { exists: true } }))).toBeInstanceOf(
        ConditionFailedError,
      );
    });
  });
};
