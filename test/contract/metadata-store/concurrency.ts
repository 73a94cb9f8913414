import { beforeEach, describe, expect, it } from 'vitest';
import { ConditionFailedError } from '../../../lambdas/shared/errors';
import type { MetadataStore } from '../../../lambdas/shared/ports/metadata-store';
import type { FixtureAccessor } from './shared';

export const describeConcurrency = (fixture: FixtureAccessor) => {
  let store: MetadataStore;
  beforeEach(() => {
    ({ store } = fixture());
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
};
