// Data drift on real data: each later month of 2001 (February..June) against January, over the flights'
// delay, distance, origin, destination and the departure's hour and ISO day of week.
//
// Both paths of the drift engine run on every month, and must agree:
//   exact     compareTables(January, month): every value of both months sorted and compared;
//   baseline  profileTable(January) once, then the month in shards of a few days, each summarised
//             against the profile (summarizeShard), merged (mergeSummaries) and compared
//             (compareToBaseline): what a scheduled monitor does with data it cannot hold.
// Per month it prints each feature's verdict, the statistic that decided it and the others, the
// dataset verdict, the largest |approx − exact| per statistic against its error bound, and run times.
// It exits 1 when the paths disagree on a verdict or an approximation leaves its bound.
//
// Run:  node --import tsx examples/flights/drift.ts [--sample N]
// Options: --sample N: N flights per month, taken evenly in departure order (default: every flight).
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  type BaselineProfile,
  type ColumnDrift,
  compareTables,
  compareToBaseline,
  DRIFT_DEFAULTS,
  type DriftReport,
  mergeSummaries,
  profileTable,
  summarizeShard,
} from '../../lambdas/monitoring/drift';
import { fmtInt, loadFlights, seconds } from './common';
import { DRIFT_FEATURES, type FlightColumns, monthShards, readFlightsMonth } from './months';

const { values: args } = parseArgs({ options: { sample: { type: 'string' } } });
const SAMPLE = args.sample === undefined ? undefined : Number(args.sample);
if (SAMPLE !== undefined && !(Number.isSafeInteger(SAMPLE) && SAMPLE > 0))
  throw new Error(`--sample must be a positive integer, not ${args.sample}`);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June'] as const;
/** About four days each: the S3 objects a scheduled job would fan out over. */
const SHARDS = 8;

/** The statistics both paths report; only KS and W1/std are approximate, the others exact. */
const STATISTICS = [
  ['ksStatistic', 'KS'],
  ['wassersteinNormed', 'W1/std'],
  ['psi', 'PSI'],
  ['jensenShannon', 'JS'],
  ['chiSquare', 'χ²'],
] as const;
type Statistic = (typeof STATISTICS)[number][0];

const fmt = (value: number | undefined, digits = 4): string =>
  value === undefined
    ? '-'
    : value === 0
      ? '0'
      : Math.abs(value) < 10 ** -digits
        ? value.toExponential(1)
        : value.toFixed(digits);

/** The statistic behind a verdict, its value and the default threshold it was held against. */
const decidedBy = (column: ColumnDrift): { label: string; value: number | undefined; threshold: number } => {
  switch (column.method) {
    case 'wasserstein':
      return {
        label: 'W1/std',
        value: column.wassersteinNormed,
        threshold: DRIFT_DEFAULTS.wassersteinThreshold,
      };
    case 'jensenshannon':
      return { label: 'JS', value: column.jensenShannon, threshold: DRIFT_DEFAULTS.jensenShannonThreshold };
    case 'ks':
      return { label: 'KS p', value: column.ksPValue, threshold: DRIFT_DEFAULTS.pValueThreshold };
    default:
      return { label: 'χ² p', value: column.chiSquarePValue, threshold: DRIFT_DEFAULTS.pValueThreshold };
  }
};

const verdictText = (column: ColumnDrift) =>
  column.verdict === 'drift' ? 'DRIFT' : column.verdict.replace('_', ' ');

const lineUp = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
};

const featureTable = (report: DriftReport): string[] =>
  lineUp([
    ['feature', 'verdict', 'decided by', 'KS', 'W1/std', 'PSI', 'JS', 'χ²', 'p-value'],
    ...Object.entries(report.features).map(([name, column]) => {
      const { label, value, threshold } = decidedBy(column);
      const side = column.method === 'ks' || column.method === 'chisquare' ? ['<', '≥'] : ['≥', '<'];
      return [
        name,
        verdictText(column),
        `${label} ${fmt(value)} ${column.drift ? side[0] : side[1]} ${threshold}`,
        fmt(column.ksStatistic),
        fmt(column.wassersteinNormed),
        fmt(column.psi),
        fmt(column.jensenShannon),
        fmt(column.chiSquare, 0),
        fmt(column.ksPValue ?? column.chiSquarePValue),
      ];
    }),
  ]);

const datasetLine = (report: DriftReport): string => {
  const { drift, share, driftedColumns } = report.dataset;
  const judged = Object.values(report.features).filter((c) => c.verdict !== 'insufficient_data').length;
  return (
    `  dataset: ${drift ? 'DRIFT' : 'no drift'} — ${driftedColumns.length} of ${judged} features drifted ` +
    `(share ${share.toFixed(2)} ${drift ? '≥' : '<'} ${DRIFT_DEFAULTS.datasetDriftShare})` +
    (driftedColumns.length > 0 ? `: ${driftedColumns.join(', ')}` : '')
  );
};

interface Deviation {
  /** Largest |approx − exact| over the features that have the statistic. */
  readonly error: number;
  /** Largest stated bound over those features (0: exact). */
  readonly bound: number;
  /** Features whose own error exceeds their own bound (beyond float rounding). */
  readonly outside: string[];
}

/** How far the baseline path's statistics sit from the exact ones, per statistic. */
const deviations = (exact: DriftReport, approx: DriftReport): Record<Statistic, Deviation> => {
  const result = {} as Record<Statistic, Deviation>;
  for (const [statistic] of STATISTICS) {
    let error = 0;
    let bound = 0;
    const outside: string[] = [];
    for (const [name, column] of Object.entries(exact.features)) {
      const truth = column[statistic];
      const estimate = approx.features[name]?.[statistic];
      if (truth === undefined || estimate === undefined) continue;
      const bounds: Partial<Record<Statistic, number>> = approx.features[name]?.errorBounds ?? {};
      const stated = bounds[statistic] ?? 0;
      const off = Math.abs(estimate - truth);
      if (off > stated + 1e-9 * Math.max(1, Math.abs(truth))) outside.push(name);
      error = Math.max(error, off);
      bound = Math.max(bound, stated);
    }
    result[statistic] = { error, bound, outside };
  }
  return result;
};

const disagreements = (exact: DriftReport, approx: DriftReport): string[] => [
  ...Object.entries(exact.features)
    .filter(([name, column]) => approx.features[name]?.verdict !== column.verdict)
    .map(([name]) => name),
  ...(exact.dataset.drift === approx.dataset.drift ? [] : ['dataset']),
];

interface MonthResult {
  readonly month: string;
  readonly exact: DriftReport;
  readonly agrees: boolean;
}

/** Both paths on one month, timed: exact on the raw rows, and the baseline path over its shards. */
const compareMonth = (january: FlightColumns, baseline: BaselineProfile, current: FlightColumns) => {
  let t = performance.now();
  const exact = compareTables(january, current);
  const exactSeconds = seconds(t);
  t = performance.now();
  const merged = monthShards(current, SHARDS)
    .map((shard) => summarizeShard(baseline, shard))
    .reduce(mergeSummaries);
  const summarizeSeconds = seconds(t);
  t = performance.now();
  const approx = compareToBaseline(baseline, merged);
  return { exact, approx, exactSeconds, summarizeSeconds, compareSeconds: seconds(t) };
};

/** Prints the month's report and how the baseline path compares; false when the paths disagree. */
const printMonth = (month: string, read: number, result: ReturnType<typeof compareMonth>): boolean => {
  const { exact, approx } = result;
  const disagree = disagreements(exact, approx);
  const deviation = deviations(exact, approx);
  const outside = STATISTICS.flatMap(([s, label]) => deviation[s].outside.map((f) => `${label} of ${f}`));
  const { currentRows = 0, referenceRows = 0 } = exact.features.delay ?? {};
  console.log(`${month}: ${fmtInt(currentRows)} flights against January's ${fmtInt(referenceRows)}`);
  console.log([...featureTable(exact), datasetLine(exact)].join('\n'));
  console.log(
    `  baseline path: ${disagree.length === 0 ? 'same verdicts' : `verdicts DIFFER on ${disagree.join(', ')}`}` +
      ` (${Object.keys(exact.features).length} features and the dataset); largest |approx − exact| vs bound: ` +
      STATISTICS.map(([s, label]) => {
        const { error, bound } = deviation[s];
        return `${label} ${error === 0 ? '0' : error.toExponential(1)} ${bound === 0 ? '(exact)' : `≤ ${bound.toExponential(1)}`}`;
      }).join(', '),
  );
  if (outside.length > 0) console.log(`  OUTSIDE ITS BOUND: ${outside.join(', ')}`);
  const { exactSeconds, summarizeSeconds, compareSeconds } = result;
  console.log(
    `  times: read ${read.toFixed(2)} s, exact ${exactSeconds.toFixed(2)} s; baseline path ` +
      `${(summarizeSeconds + compareSeconds).toFixed(2)} s (${SHARDS} shards summarised and merged ` +
      `${summarizeSeconds.toFixed(2)} s, compared ${compareSeconds.toFixed(3)} s)\n`,
  );
  return disagree.length === 0 && outside.length === 0;
};

const summaryTable = (results: readonly MonthResult[]): string[] =>
  lineUp([
    ['month', ...DRIFT_FEATURES, 'dataset (share)'],
    ...results.map(({ month, exact }) => [
      month,
      ...DRIFT_FEATURES.map((feature) => {
        const column = exact.features[feature]!;
        return `${fmt(decidedBy(column).value, 3)}${column.drift ? ' *' : ''}`;
      }),
      `${exact.dataset.drift ? 'DRIFT' : 'no'} (${exact.dataset.share.toFixed(2)})`,
    ]),
  ]);

const main = async () => {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    let t = performance.now();
    await loadFlights(db);
    const january = await readFlightsMonth(db, 1, SAMPLE);
    const referenceRows = january.delay!.length;
    console.log(
      `January: ${fmtInt(referenceRows)} flights${SAMPLE ? ` (every n-th of the month, --sample ${SAMPLE})` : ''}, read in ${seconds(t).toFixed(2)} s`,
    );
    t = performance.now();
    const baseline = profileTable(january);
    console.log(`baseline profile of January in ${seconds(t).toFixed(2)} s\n`);

    const results: MonthResult[] = [];
    for (let m = 2; m <= MONTHS.length; m++) {
      t = performance.now();
      const current = await readFlightsMonth(db, m, SAMPLE);
      const read = seconds(t);
      const result = compareMonth(january, baseline, current);
      const agrees = printMonth(MONTHS[m - 1]!, read, result);
      results.push({ month: MONTHS[m - 1]!, exact: result.exact, agrees });
    }
    console.log('The deciding statistic per month and feature (* = drift; see "decided by" above):');
    console.log(summaryTable(results).join('\n'));
    if (results.some((r) => !r.agrees)) {
      console.error('\nthe baseline path disagrees with the exact one (see above)');
      process.exitCode = 1;
    }
  } finally {
    db.closeSync();
  }
};

await main();
