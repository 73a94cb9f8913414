import type { MetadataStore } from '../../ports/metadata-store';
import {
  type RunRecord,
  type RunSearchIndex,
  type RunSearchPage,
  type RunSearchQuery,
  runPartitionKey,
} from '../../ports/run-search-index';
import { compileRunComparator, compileRunPredicate } from '../run-search-predicate';

export interface ScanRunSearchIndexOptions {
  /** The store holding the run items: DynamoDbMetadataStore in the cloud. */
  readonly store: MetadataStore;
}

/** Largest page the store serves; fewer round trips per partition. */
const PAGE_SIZE = 1000;

/**
 * RunSearchIndex for the cloud: the run items of each named experiment's partition ARE the index. A
 * search queries those partitions (in parallel across experiments), keeps the runs the compiled
 * predicate accepts and sorts them with the shared comparator — the same semantics the SQLite index
 * compiles to SQL, held equal by one contract suite.
 *
 * Correct, not fast. Limit: each search reads every run of the named experiments — one strongly
 * consistent Query per ~1 MB of run items (about 1,000 typical runs), sequential within a partition —
 * so latency and read capacity grow linearly with the experiments' size: tens of milliseconds at a few
 * thousand runs, seconds at 100k (where the Lambda's memory and timeout become the bound). Past that,
 * split a partition into parallel sort-key ranges (QueryOptions.range over the run ids' time prefix)
 * or feed a real search index (e.g. OpenSearch) from the table's stream.
 */
export class ScanRunSearchIndex implements RunSearchIndex {
  readonly #store: MetadataStore;

  constructor(options: ScanRunSearchIndexOptions) {
    this.#store = options.store;
  }

  async search(query: RunSearchQuery): Promise<RunSearchPage> {
    const matches = compileRunPredicate(query.filter);
    const found: RunRecord[] = [];
    const experiments = [...new Set(query.experimentIds)];
    await Promise.all(
      experiments.map(async (experimentId) => {
        let cursor: string | undefined;
        do {
          const page = await this.#store.query(runPartitionKey(experimentId), {
            limit: PAGE_SIZE,
            ...(cursor === undefined ? {} : { cursor }),
          });
          for (const item of page.items) {
            const run = item.data as unknown as RunRecord;
            if (matches(run)) found.push(run);
          }
          cursor = page.cursor;
        } while (cursor !== undefined);
      }),
    );
    found.sort(compileRunComparator(query.orderBy));
    const end = query.offset + query.limit;
    return { runs: found.slice(query.offset, end), more: found.length > end };
  }
}
