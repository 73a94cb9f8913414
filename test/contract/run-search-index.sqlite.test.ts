import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { SqliteRunSearchIndex } from '../../lambdas/shared/adapters/embedded/sqlite-run-search-index';
import { describeRunSearchIndexContract } from './run-search-index.contract';

describeRunSearchIndexContract('SQLite (typed tables kept by triggers, in memory)', async () => {
  const store = new SqliteMetadataStore({ path: ':memory:' });
  const index = new SqliteRunSearchIndex({ database: store.database });
  return { store, index, dispose: async () => store.close() };
});

// The planner's cheapest paths on tiny data: every estimate capped at one entry, so ordered walks stop
// after one entry and must fall back whenever the page does not fill up within it.
describeRunSearchIndexContract('SQLite (planner forced to bound and fall back)', async () => {
  const store = new SqliteMetadataStore({ path: ':memory:' });
  const index = new SqliteRunSearchIndex({ database: store.database, tuning: { estimateCap: 1 } });
  return { store, index, dispose: async () => store.close() };
});
