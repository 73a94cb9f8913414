/** The drift engine's public shapes; `index.ts` re-exports them with the functions. */

export type ColumnType = 'numeric' | 'categorical';
export type Cell = string | number | boolean | null | undefined;
/** Column name -> values (one per row). */
export type ColumnarTable = Readonly<Record<string, readonly Cell[]>>;
/**
 * What the engine accepts as input: a ColumnarTable, or typed columns (NaN = missing) for data that
 * is already numeric, e.g. read from Parquet or binary files, or shared with worker threads.
 */
export type TableInput = Readonly<Record<string, readonly Cell[] | Float64Array>>;

export type PValueCorrection = 'none' | 'bonferroni' | 'benjamini-hochberg';

export interface DriftOptions {
  /** Overrides inference (numeric when every present value is a finite number). */
  columnTypes?: Readonly<Record<string, ColumnType>>;
  /** Default: the union of both tables' columns. */
  columns?: readonly string[];
  /** 1000: reference tables of at most this many rows get p-value tests, larger ones distance tests. */
  smallReferenceRows?: number;
  /** 0.05 */
  pValueThreshold?: number;
  /** 0.1 */
  wassersteinThreshold?: number;
  /** 0.1 */
  jensenShannonThreshold?: number;
  /** 0.5: the dataset drifts when at least this share of the judged columns drift. */
  datasetDriftShare?: number;
  /** 'none': multiple-testing correction across the columns judged by a p-value. */
  correction?: PValueCorrection;
  /** 30: fewer present current values than this -> verdict 'insufficient_data'. */
  minCurrentRows?: number;
  perColumn?: Readonly<
    Record<
      string,
      Partial<Pick<DriftOptions, 'pValueThreshold' | 'wassersteinThreshold' | 'jensenShannonThreshold'>>
    >
  >;
}

export type Verdict = 'drift' | 'no_drift' | 'insufficient_data';
export type DriftMethod = 'ks' | 'chisquare' | 'wasserstein' | 'jensenshannon';

export interface ColumnDrift {
  type: ColumnType;
  drift: boolean;
  verdict: Verdict;
  /** The test behind the verdict: 'ks', 'chisquare', 'wasserstein' or 'jensenshannon'. */
  method: string;
  ksStatistic?: number;
  ksPValue?: number;
  wassersteinNormed?: number;
  psi?: number;
  chiSquare?: number;
  chiSquarePValue?: number;
  jensenShannon?: number;
  /** The p-value after the multiple-testing correction, when one was asked for and applies. */
  adjustedPValue?: number;
  /** Rows of each table (present values = rows × (1 − missing rate) − type violations). */
  referenceRows: number;
  currentRows: number;
  missingRate: { reference: number; current: number };
  /** Current values that do not fit the column's type (text in a numeric column, ±Infinity). */
  typeViolations?: number;
  /** Share of present current values outside the reference [min, max] (numeric columns). */
  outOfRangeRate?: number;
  /** Share of present current values in categories the reference never had (categorical columns). */
  unseenCategoryRate?: number;
  /** For sketch-based statistics: the bound on |approx - exact| per statistic, absent when exact. */
  errorBounds?: Partial<Record<'ksStatistic' | 'wassersteinNormed' | 'psi', number>>;
}

export interface DriftReport {
  features: Record<string, ColumnDrift>;
  dataset: { drift: boolean; share: number; driftedColumns: string[] };
}
