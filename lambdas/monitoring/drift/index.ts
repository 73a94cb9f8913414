/**
 * The drift engine (issue 6): exact two-sample statistics on raw tables, checked against scipy
 * (test/fixtures/drift/reference-vectors.json), and mergeable summaries for data too large to hold:
 * a baseline profile of the reference, built once when a model is trained, and per-shard summaries
 * of current data binned against it, which merge by addition (worker threads locally, a Distributed
 * Map in the cloud). Every statistic computed from summaries carries a proven bound on its error.
 */
export { compareToBaseline } from './approximate';
export { compareTables } from './exact';
export { type BaselineProfile, type ProfileOptions, profileTable } from './profile';
export { type CurrentSummary, mergeSummaries, summarizeShard } from './summary';
export type {
  Cell,
  ColumnarTable,
  ColumnDrift,
  ColumnType,
  DriftOptions,
  DriftReport,
  PValueCorrection,
  TableInput,
} from './types';
export { DRIFT_DEFAULTS } from './verdict';
