import type { Command } from 'commander';
import {
  type ColumnDrift,
  type ColumnType,
  compareTables,
  type DriftReport,
} from '../../lambdas/monitoring/drift';
import { readTableFile } from '../../lambdas/monitoring/drift/table-file';
import type { DriftOptions } from '../../lambdas/monitoring/drift/types';
import { type CliContext, collectPairs } from '../context';
import { print } from '../output';

interface CompareFlags {
  readonly reference: string;
  readonly current: string;
  readonly columnType: Record<string, string>;
  readonly columns?: string;
  readonly correction?: DriftOptions['correction'];
  readonly minCurrentRows?: string;
}

const COLUMN_TYPES: readonly string[] = ['numeric', 'categorical'];

/** The shape other tools read: per feature the statistics, for the dataset only drift and share. */
const publicShape = (report: DriftReport) => ({
  features: report.features,
  dataset: { drift: report.dataset.drift, share: report.dataset.share },
});

const format = (value: number | undefined, digits = 4): string =>
  value === undefined
    ? '-'
    : value !== 0 && Math.abs(value) < 10 ** -digits
      ? value.toExponential(1)
      : value.toFixed(digits);

/** The statistic behind the verdict, with the p-value when the method has one. */
const deciding = (column: ColumnDrift): [string, string] => {
  switch (column.method) {
    case 'ks':
      return [format(column.ksStatistic), format(column.adjustedPValue ?? column.ksPValue)];
    case 'chisquare':
      return [format(column.chiSquare, 2), format(column.adjustedPValue ?? column.chiSquarePValue)];
    case 'wasserstein':
      return [format(column.wassersteinNormed), '-'];
    default:
      return [format(column.jensenShannon), '-'];
  }
};

const table = (report: DriftReport): string => {
  const header = ['column', 'type', 'method', 'statistic', 'p-value', 'psi', 'missing', 'verdict'];
  const rows = Object.entries(report.features).map(([name, column]) => [
    name,
    column.type,
    column.method,
    ...deciding(column),
    format(column.psi),
    `${(100 * column.missingRate.current).toFixed(1)}%`,
    column.verdict.replace('_', ' '),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const judged = Object.values(report.features).filter((c) => c.verdict !== 'insufficient_data').length;
  const { dataset } = report;
  return [
    line(header),
    ...rows.map(line),
    '',
    `dataset: ${dataset.drift ? 'DRIFT' : 'no drift'} — ${dataset.driftedColumns.length} of ${judged} judged columns drifted (share ${dataset.share.toFixed(2)})`,
  ].join('\n');
};

const driftOptions = (flags: CompareFlags): DriftOptions => {
  const columnTypes: Record<string, ColumnType> = {};
  for (const [column, type] of Object.entries(flags.columnType)) {
    if (!COLUMN_TYPES.includes(String(type)))
      throw new Error(`--column-type ${column}=${type}: use numeric or categorical`);
    columnTypes[column] = type as ColumnType;
  }
  const minCurrentRows = flags.minCurrentRows === undefined ? undefined : Number(flags.minCurrentRows);
  return {
    columnTypes,
    ...(flags.columns ? { columns: flags.columns.split(',').map((c) => c.trim()) } : {}),
    ...(flags.correction ? { correction: flags.correction } : {}),
    ...(minCurrentRows === undefined ? {} : { minCurrentRows }),
  };
};

/** `mlops drift compare`: exact drift statistics between two files, computed locally. */
export const registerDriftCommands = (program: Command, context: CliContext): void => {
  const drift = program
    .command('drift')
    .description('Data drift between tables (computed locally, no API call).');
  drift
    .command('compare')
    .description(
      'Exact drift statistics of every column of --current against --reference (.csv or .parquet).',
    )
    .requiredOption('--reference <file>', 'the reference table (e.g. the training data)')
    .requiredOption('--current <file>', 'the table to check')
    .option(
      '--column-type <column=type>',
      'numeric or categorical, overriding inference; repeatable',
      collectPairs(false),
      {},
    )
    .option('--columns <names>', 'comma-separated columns to compare (default: all)')
    .option('--correction <method>', 'none, bonferroni or benjamini-hochberg for the p-value tests')
    .option('--min-current-rows <n>', 'fewer current values give "insufficient data" (default 30)')
    .action(async (flags: CompareFlags) => {
      const { options } = context();
      const driftSettings = driftOptions(flags);
      const textColumns = new Set(
        Object.entries(driftSettings.columnTypes ?? {})
          .filter(([, t]) => t === 'categorical')
          .map(([c]) => c),
      );
      const [reference, current] = await Promise.all([
        readTableFile(flags.reference, { textColumns }),
        readTableFile(flags.current, { textColumns }),
      ]);
      const report = compareTables(reference, current, driftSettings);
      print(options, publicShape(report), () => table(report));
    });
};
