import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/errors';
import type { MetadataStore, NewerPutOp, RecencyOrder } from '../../../lambdas/shared/ports/metadata-store';
import { type FixtureAccessor, type ManualClock, rejection, UTF8_ORDER } from './shared';

const ORDER: RecencyOrder = { number: 'at', tieBreak: 'text' };
const key = { pk: 'p', sk: 's' };
const op = (at: number, text: string, extra: Partial<NewerPutOp> = {}): NewerPutOp => ({
  ...key,
  data: { at, text },
  ...extra,
});

export const describeNewerPuts = (fixture: FixtureAccessor) => {
  let store: MetadataStore;
  let clock: ManualClock;
  beforeEach(() => {
    ({ store, clock } = fixture());
  });
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

  describe('putIfNewer', () => {
    it('creates absent items at rev 1 and answers, in order, which items it wrote', async () => {
      await store.put({ pk: 'p', sk: 'b', data: { at: 5, text: 'x' } });

      const written = await store.putIfNewer(
        [
          op(1, 'a', { sk: 'a' }),
          op(4, 'x', { sk: 'b' }),
          op(1, 'c', { sk: 'c', expiresAt: nowSeconds() + 60 }),
        ],
        ORDER,
      );

      expect(written).toEqual([true, false, true]);
      expect(await store.get({ pk: 'p', sk: 'a' })).toEqual({
        pk: 'p',
        sk: 'a',
        rev: 1,
        data: { at: 1, text: 'a' },
      });
      expect(await store.get({ pk: 'p', sk: 'c' })).toMatchObject({ rev: 1, expiresAt: nowSeconds() + 60 });
    });

    it('replaces an item only with a greater number, or an equal number and a greater tie-break', async () => {
      await store.putIfNewer([op(10, 'm')], ORDER);

      const outcomes = [];
      for (const [at, text] of [
        [9, 'z'],
        [10, 'a'],
        [10, 'm'],
        [10, 'n'],
        [11, 'a'],
      ] as const)
        outcomes.push((await store.putIfNewer([op(at, text)], ORDER))[0]);

      expect(outcomes).toEqual([false, false, false, true, true]);
      expect(await store.get(key)).toEqual({ ...key, rev: 3, data: { at: 11, text: 'a' } });
    });

    it('compares tie-breaks as UTF-8 bytes, as DynamoDB does, not as UTF-16 code units', async () => {
      const [, , , fullwidthTilde, emoji] = UTF8_ORDER as [string, string, string, string, string];
      await store.putIfNewer([op(1, fullwidthTilde)], ORDER);

      const written = await store.putIfNewer([op(1, emoji)], ORDER);
      const back = await store.putIfNewer([op(1, fullwidthTilde)], ORDER);

      expect([written, back]).toEqual([[true], [false]]);
      expect((await store.get(key))?.data.text).toBe(emoji);
    });

    it('neither replaces nor refreshes a newer item: its data, rev and expiry stay as they were', async () => {
      await store.putIfNewer([op(10, 'a', { expiresAt: nowSeconds() + 60 })], ORDER);
      const before = await store.get(key);

      const written = await store.putIfNewer([op(9, 'z', { expiresAt: nowSeconds() + 600 })], ORDER);

      expect(written).toEqual([false]);
      expect(await store.get(key)).toEqual(before);
    });

    it('replaces an expired item whatever its order, restarting at rev 1, and can drop the expiry', async () => {
      await store.putIfNewer([op(10, 'a', { expiresAt: nowSeconds() + 1 })], ORDER);
      await store.put({ ...key, data: { at: 10, text: 'b' }, expiresAt: nowSeconds() + 1 });
      clock.advance(2_000);

      const written = await store.putIfNewer([op(1, 'a')], ORDER);

      expect(written).toEqual([true]);
      expect(await store.get(key)).toEqual({ ...key, rev: 1, data: { at: 1, text: 'a' } });
    });

    it('counts a live item without the order number as oldest', async () => {
      await store.put({ ...key, data: { other: true } });

      const written = await store.putIfNewer([op(-5, '')], ORDER);

      expect(written).toEqual([true]);
      expect(await store.get(key)).toEqual({ ...key, rev: 2, data: { at: -5, text: '' } });
    });

    it('judges by the data as stored, whatever wrote it last and under whichever order', async () => {
      await store.putIfNewer([op(10, 'a')], ORDER);
      await store.put({ ...key, data: { at: 100, text: 'a', n: 5 } });

      const older = await store.putIfNewer([op(50, 'z')], ORDER);
      const other = await store.putIfNewer([{ ...key, data: { n: 6, t: '', at: 1, text: '' } }], {
        number: 'n',
        tieBreak: 't',
      });
      const newer = await store.putIfNewer([op(2, 'a')], ORDER);

      expect([older, other, newer]).toEqual([[false], [true], [true]]);
      expect(await store.get(key)).toMatchObject({ rev: 4, data: { at: 2, text: 'a' } });
    });

    it('keeps the newest of 30 racing writers of one item, whatever order they commit in', async () => {
      const numbers = Array.from({ length: 30 }, (_, i) => i).sort(() => Math.random() - 0.5);

      const outcomes = await Promise.all(numbers.map((at) => store.putIfNewer([op(at, 'x')], ORDER)));

      expect(outcomes.flat().filter(Boolean).length).toBeLessThan(30);
      expect((await store.get(key))?.data).toEqual({ at: 29, text: 'x' });
    });

    it('refuses bad order names and items without the order members, writing nothing', async () => {
      const badName = await rejection(store.putIfNewer([op(1, 'a')], { number: 'at.x', tieBreak: 'text' }));
      const noNumber = await rejection(
        store.putIfNewer([op(1, 'a', { sk: 'first' }), { ...key, data: { text: 'a' } }], ORDER),
      );
      const noText = await rejection(store.putIfNewer([{ ...key, data: { at: 1, text: 2 } }], ORDER));

      expect(badName).toBeInstanceOf(ValidationError);
      expect(noNumber).toBeInstanceOf(ValidationError);
      expect(noText).toBeInstanceOf(ValidationError);
      expect(await store.batchGet([key, { pk: 'p', sk: 'first' }])).toEqual([undefined, undefined]);
      expect(await store.putIfNewer([], ORDER)).toEqual([]);
    });
  });
};
