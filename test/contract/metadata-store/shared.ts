/** What the MetadataStore contract sections share: the fixture type, the manual clock and test helpers. */

import { expect } from 'vitest';
import type { MetadataStore, QueryOptions } from '../../../lambdas/shared/ports/metadata-store';

import type { ManualClock } from '../../support/clock';

export type { ManualClock } from '../../support/clock';

export interface MetadataStoreFixture {
  readonly store: MetadataStore;
  /** The clock the store was built with. */
  readonly clock: ManualClock;
  dispose(): Promise<void>;
}

/** Reads the fixture of the test that is running; the contract's beforeEach makes a fresh one per test. */
export type FixtureAccessor = () => MetadataStoreFixture;

/** Resolves to what `promise` rejected with, or fails the test if it fulfilled. */
export const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  const outcome = await promise.then(
    () => ({ fulfilled: true as const }),
    (error: unknown) => ({ fulfilled: false as const, error }),
  );
  expect(outcome.fulfilled, 'expected a rejection').toBe(false);
  return outcome.fulfilled ? undefined : outcome.error;
};

// Byte order of the UTF-8 encodings. UTF-16 order (JS's default sort) puts the emoji before U+FF5E.
export const UTF8_ORDER = ['Z', 'a', 'é', '\uFF5E', '😀'];

/** Helpers over the running test's store and clock. */
export const contractHelpers = (fixture: FixtureAccessor) => {
  const nowSeconds = () => Math.floor(fixture().clock.now().getTime() / 1000);
  const seed = async (pk: string, sks: readonly string[]) => {
    const { store } = fixture();
    await Promise.all(sks.map((sk) => store.put({ pk, sk, data: { sk } })));
  };
  const sortKeys = async (pk: string, options?: QueryOptions) =>
    (await fixture().store.query(pk, options)).items.map((item) => item.sk);
  /** Follows cursors to the end; each entry is one page's sort keys. */
  const allPages = async (pk: string, options: QueryOptions) => {
    const { store } = fixture();
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await store.query(pk, { ...options, cursor });
      pages.push(page.items.map((item) => item.sk));
      cursor = page.cursor;
    } while (cursor !== undefined && pages.length < 50);
    return pages;
  };
  return { nowSeconds, seed, sortKeys, allPages };
};
