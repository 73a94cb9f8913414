/**
 * Feature health: missing values against the baseline's rate, values of the wrong type, values
 * outside the baseline's range, categories it never saw, columns the model does not know, capture lines
 * that are not records, and feature groups gone stale. Per-column rates come from the drift engine's
 * comparison with the baseline (it bins every value anyway); what the engine cannot see — columns
 * outside the baseline, values that are not scalars — is counted here, per shard, in a summary that
 * merges by addition.
 */
import type { Cell, DriftReport } from './drift';
import type { HealthThresholds } from './schemas';

export interface HealthSummary {
  readonly rows: number;
  /** Rows that carried each column name (the first MAX_COLUMNS names seen). */
  readonly columns: Record<string, number>;
  /** Per column, values that are not scalars (objects, arrays): the drift engine gets them as missing. */
  readonly nonScalar: Record<string, number>;
}

/** Column names a summary tracks: far above any model's feature count, bounded for a hostile capture. */
const MAX_COLUMNS = 2_000;

export const emptyHealth = (): HealthSummary => ({ rows: 0, columns: {}, nonScalar: {} });

const isScalar = (value: unknown): value is Cell =>
  value === null || value === undefined || ['string', 'number', 'boolean'].includes(typeof value);

/**
 * One shard's feature rows as the drift engine's columns (every column name seen, in every row), and
 * its health summary. Two passes: the first finds the columns, so that each column has a cell per row.
 */
export const tabulate = (
  rows: readonly Readonly<Record<string, unknown>>[],
): { table: Record<string, Cell[]>; health: HealthSummary } => {
  const columns: Record<string, number> = {};
  let tracked = 0;
  for (const row of rows) {
    for (const name in row) {
      if (!Object.hasOwn(row, name)) continue;
      if (Object.hasOwn(columns, name)) columns[name] = (columns[name] ?? 0) + 1;
      else if (tracked < MAX_COLUMNS) {
        columns[name] = 1;
        tracked++;
      }
    }
  }
  const table: Record<string, Cell[]> = {};
  const nonScalar: Record<string, number> = {};
  for (const name of Object.keys(columns)) {
    const cells: Cell[] = new Array(rows.length);
    let odd = 0;
    rows.forEach((row, i) => {
      const value = Object.hasOwn(row, name) ? row[name] : undefined;
      if (isScalar(value)) cells[i] = value;
      else {
        cells[i] = null;
        odd++;
      }
    });
    table[name] = cells;
    if (odd > 0) nonScalar[name] = odd;
  }
  return { table, health: { rows: rows.length, columns, nonScalar } };
};

const addCounts = (
  a: Record<string, number>,
  b: Record<string, number>,
  max: number,
): Record<string, number> => {
  const sum = { ...a };
  let size = Object.keys(sum).length;
  for (const [name, count] of Object.entries(b)) {
    if (Object.hasOwn(sum, name)) sum[name] = (sum[name] ?? 0) + count;
    else if (size < max) {
      sum[name] = count;
      size++;
    }
  }
  return sum;
};

export const mergeHealth = (a: HealthSummary, b: HealthSummary): HealthSummary => ({
  rows: a.rows + b.rows,
  columns: addCounts(a.columns, b.columns, MAX_COLUMNS),
  nonScalar: addCounts(a.nonScalar, b.nonScalar, MAX_COLUMNS),
});

/** How fresh a feature group the model reads is (see ./freshness.ts). */
export interface GroupFreshness {
  readonly name: string;
  readonly version: number;
  readonly lastEventTime: string | null;
  readonly ageHours: number | null;
  /** The hours after which it counts as stale: the group's TTL if it has one, else the monitor's. */
  readonly staleAfterHours: number;
  readonly stale: boolean;
}

export type HealthCheck =
  | 'missing-rate'
  | 'wrong-type'
  | 'out-of-range'
  | 'unseen-category'
  | 'unknown-column'
  | 'stale-feature-group'
  | 'malformed-records';

export interface HealthIssue {
  readonly check: HealthCheck;
  /** The column or feature group at fault; absent for the run as a whole. */
  readonly subject?: string;
  /** The measured value (a rate, a count or an age in hours); null for a group that never had an event. */
  readonly value: number | null;
  readonly threshold: number;
  readonly message: string;
}

export interface ColumnHealth {
  readonly missingRate: { readonly baseline: number; readonly current: number };
  /** Shares of present values. */
  readonly wrongTypeRate: number;
  readonly outOfRangeRate: number;
  readonly unseenCategoryRate: number;
}

export interface HealthReport {
  readonly healthy: boolean;
  readonly rows: number;
  readonly issues: HealthIssue[];
  readonly columns: Record<string, ColumnHealth>;
  /** Columns the baseline lacks, with the rows that carried them. */
  readonly unknownColumns: Record<string, number>;
  readonly featureGroups: GroupFreshness[];
  readonly malformedRecords: number;
}

const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;

const columnHealth = (
  drift: DriftReport['features'][string],
  nonScalar: number,
  rows: number,
): ColumnHealth => {
  const odd = rows === 0 ? 0 : nonScalar / rows;
  const present = drift.currentRows * (1 - drift.missingRate.current) + nonScalar;
  return {
    missingRate: {
      baseline: drift.missingRate.reference,
      current: Math.max(0, drift.missingRate.current - odd),
    },
    wrongTypeRate: present <= 0 ? 0 : ((drift.typeViolations ?? 0) + nonScalar) / present,
    outOfRangeRate: drift.outOfRangeRate ?? 0,
    unseenCategoryRate: drift.unseenCategoryRate ?? 0,
  };
};

/**
 * Turns the counts into issues, each check against its threshold. `features` is the engine's
 * comparison of the same rows with the baseline (it holds one entry per baseline column).
 */
export const evaluateHealth = (
  summary: HealthSummary,
  features: DriftReport | undefined,
  thresholds: HealthThresholds,
  groups: readonly GroupFreshness[],
  malformedRecords: number,
): HealthReport => {
  const issues: HealthIssue[] = [];
  const columns: Record<string, ColumnHealth> = {};
  const baselineColumns = features?.features ?? {};
  for (const [name, drift] of Object.entries(baselineColumns)) {
    const health = columnHealth(drift, summary.nonScalar[name] ?? 0, summary.rows);
    columns[name] = health;
    if (summary.rows === 0) continue;
    const { baseline, current } = health.missingRate;
    if (current - baseline > thresholds.missingRateIncrease) {
      issues.push({
        check: 'missing-rate',
        subject: name,
        value: current,
        threshold: baseline + thresholds.missingRateIncrease,
        message: `${name}: ${pct(current)} missing against ${pct(baseline)} in the baseline`,
      });
    }
    const violations: [HealthCheck, number, string][] = [
      ['wrong-type', health.wrongTypeRate, `of values are not ${drift.type}`],
      ['out-of-range', health.outOfRangeRate, 'of values lie outside the baseline range'],
      ['unseen-category', health.unseenCategoryRate, 'of values are categories the baseline never saw'],
    ];
    for (const [check, rate, what] of violations) {
      if (rate > thresholds.violationRate) {
        issues.push({
          check,
          subject: name,
          value: rate,
          threshold: thresholds.violationRate,
          message: `${name}: ${pct(rate)} ${what}`,
        });
      }
    }
  }
  const unknownColumns = Object.fromEntries(
    Object.entries(summary.columns).filter(
      ([name]) => features !== undefined && !Object.hasOwn(baselineColumns, name),
    ),
  );
  for (const [name, rows] of Object.entries(unknownColumns)) {
    issues.push({
      check: 'unknown-column',
      subject: name,
      value: rows,
      threshold: 0,
      message: `${name} is not a feature of the baseline (in ${rows} rows)`,
    });
  }
  for (const group of groups.filter((g) => g.stale)) {
    issues.push({
      check: 'stale-feature-group',
      subject: `${group.name}@${group.version}`,
      value: group.ageHours,
      threshold: group.staleAfterHours,
      message:
        group.lastEventTime === null
          ? `feature group ${group.name} has no ingested events`
          : `feature group ${group.name}: newest event ${group.lastEventTime}, ${group.ageHours?.toFixed(1)} h old`,
    });
  }
  if (malformedRecords > 0) {
    issues.push({
      check: 'malformed-records',
      value: malformedRecords,
      threshold: 0,
      message: `${malformedRecords} capture lines were not capture records`,
    });
  }
  return {
    healthy: issues.length === 0,
    rows: summary.rows,
    issues,
    columns,
    unknownColumns,
    featureGroups: [...groups],
    malformedRecords,
  };
};
