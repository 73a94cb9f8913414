import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { SqliteRunSearchIndex } from '../../lambdas/shared/adapters/embedded/sqlite-run-search-index';
import { describeRunSearchIndexContract } from './run-search-index.contract';

describeRunSearchIndexContract('SQLite (typed tables kept by triggers, in memory)', async (clock) => {
  const store = new SqliteMetadataStore({ path: ':memory:', clock });
  const index = new SqliteRunSearchIndex({ database: store.database });
  return { store, index, dispose: async () => store.close() };
});

// The planner's other paths on small data (the defaults only pay off at thousands of runs): always try
// the ordered walk, bounded after one or three index entries, so it must fall back whenever the page
// does not fill up within the bound.
for (const estimateCap of [1, 3]) {
  describeRunSearchIndexContract(
    `SQLite (planner walks the order, bound after ${estimateCap})`,
    async (clock) => {
      const store = new SqliteMetadataStore({ path: ':memory:', clock });
      const index = new SqliteRunSearchIndex({
        database: store.database,
        tuning: { estimateCap, densityThreshold: 0 },
      });
      return { store, index, dispose: async () => store.close() };
    },
  );
}
