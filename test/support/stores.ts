import { afterEach } from 'vitest';
import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import type { Clock } from '../../lambdas/shared/ports/clock';

/** Opens a store on the fixture's clock: fixtures take one of these, so a store and its test cannot disagree on "now". */
export type StoreOpener<S = SqliteMetadataStore> = (clock: Clock) => S;

/**
 * In-memory SQLite stores for the tests of one file, each on the clock it is opened with, all closed
 * after each test. Call once at the top of a `describe` (it registers the afterEach).
 */
export const sqliteStores = (): StoreOpener => {
  const open: SqliteMetadataStore[] = [];
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
  });
  return (clock) => {
    const store = new SqliteMetadataStore({ path: ':memory:', clock });
    open.push(store);
    return store;
  };
};
