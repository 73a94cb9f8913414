/**
 * Drift on the real flights file (examples/flights/drift.ts): January 2001 against March and April, on
 * 50,000 flights of each month taken evenly in departure order. Pins every feature's verdict and the
 * dataset's, each with its reason, and checks the baseline path (a profile of January, shard summaries
 * of the month, merged) against the exact one: the same verdicts, and every sketch-based statistic
 * within its stated bound of the exact value. March and April are the months whose verdicts hold at any
 * sample size: February's, May's and June's delay sits within 0.015 of the threshold and its verdict
 * flips with the sample size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFlights } from '../../examples/flights/common';
import {
  DRIFT_FEATURES,
  type FlightColumns,
  flightsMonthSql,
  monthShards,
  readFlightsMonth,
} from '../../examples/flights/months';
import {
  type BaselineProfile,
  type ColumnDrift,
  compareTables,
  compareToBaseline,
  type DriftReport,
  mergeSummaries,
  profileTable,
  summarizeShard,
} from '../../lambdas/monitoring/drift';
import { PROCESS_TEST_OPTIONS, spawnNode } from '../support/processes';

const SAMPLE = 50_000;
const MONTHS = { March: 3, April: 4 } as const;
type Month = keyof typeof MONTHS;

/** Each feature's verdict and the statistic that decided it (W1/std or Jensen–Shannon, threshold 0.1). */
const decisions = (report: DriftReport) =>
  Object.fromEntries(
    Object.entries(report.features).map(([name, column]) => [
      name,
      { verdict: column.verdict, statistic: column.wassersteinNormed ?? column.jensenShannon },
    ]),
  );

const decided = (verdict: ColumnDrift['verdict'], statistic: number) => ({
  verdict,
  statistic: expect.closeTo(statistic, 2),
});

/** The statistics on the same footing in both paths. KS and W1/std are bounded; the others are exact. */
const BOUNDED = ['ksStatistic', 'wassersteinNormed'] as const;
const EXACT = ['psi', 'chiSquare', 'chiSquarePValue', 'jensenShannon'] as const;

describe('drift on the flights file, January against March and April', PROCESS_TEST_OPTIONS, () => {
  let dir: string;
  let january: FlightColumns;
  let baseline: BaselineProfile;
  const months = {} as Record<Month, FlightColumns>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mlops-flights-drift-'));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await loadFlights(db);
      january = await readFlightsMonth(db, 1, SAMPLE);
      for (const [name, month] of Object.entries(MONTHS))
        months[name as Month] = await readFlightsMonth(db, month, SAMPLE);
      // The same samples as CSV files, for the CLI (whose Parquet reader has no ZSTD codec).
      for (const [file, month] of [
        ['january.csv', 1],
        ['march.csv', MONTHS.March],
      ] as const)
        await db.run(
          `COPY (${flightsMonthSql(month, SAMPLE)}) TO '${join(dir, file)}' (HEADER, DELIMITER ',')`,
        );
    } finally {
      db.closeSync();
    }
    baseline = profileTable(january);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('March: only the weekday mix drifts, so the dataset does not', () => {
    const report = compareTables(january, months.March);

    expect(decisions(report)).toEqual({
      // Mean delay 7.4 min against 6.3, 21.0 % against 20.5 % late by over 15 min: a small shift of a
      // wide distribution (std 31 min); 0.036 on every flight, 0.048 on the samples.
      delay: decided('no_drift', 0.048),
      // The same network: mean distance 729 miles against 728.
      distance: decided('no_drift', 0.009),
      // The same airports in nearly the same proportions (0.016 on every flight; sampling 223 airports
      // adds its own spread to the sample's 0.043).
      origin: decided('no_drift', 0.043),
      destination: decided('no_drift', 0.043),
      // The same timetable: mean departure hour 13.27 against 13.29.
      hour: decided('no_drift', 0.005),
      // The calendar: March 2001 has five Thursdays, Fridays and Saturdays, January five Mondays,
      // Tuesdays and Wednesdays, so the mass moves from ISO days 1–3 to 4–6 (Thursday 16.7 % of
      // flights against 13.3 %). Evenly spaced samples keep the mix, hence the same 0.153 as every flight.
      day_of_week: decided('drift', 0.153),
    });
    // One feature of six drifted: share 0.17, under the 0.5 a dataset needs.
    expect(report.dataset).toEqual({ drift: false, share: 1 / 6, driftedColumns: ['day_of_week'] });
  });

  it('April: the weekday mix drifts again, delays ease without drifting, the dataset does not', () => {
    const report = compareTables(january, months.April);

    expect(decisions(report)).toEqual({
      // Fewer delays — mean 5.3 min against 6.3, 17.9 % late against 20.5 % — still a small shift:
      // 0.050 on every flight, 0.051 on the samples.
      delay: decided('no_drift', 0.051),
      // Mean distance 730 miles against 728.
      distance: decided('no_drift', 0.008),
      // Spring schedules move a little more traffic between airports than March (0.030 on every flight).
      origin: decided('no_drift', 0.047),
      destination: decided('no_drift', 0.046),
      // Mean departure hour 13.23 against 13.29.
      hour: decided('no_drift', 0.013),
      // April 2001 has five Sundays and Mondays: Sunday is ISO day 7, so its 16.4 % of flights against
      // January's 12.6 % moves mass across the whole 1–7 scale; 0.103, just over the threshold, and
      // exact at any evenly spaced sample size (a random sample would flip it).
      day_of_week: decided('drift', 0.103),
    });
    // One feature of six again.
    expect(report.dataset).toEqual({ drift: false, share: 1 / 6, driftedColumns: ['day_of_week'] });
  });

  for (const month of Object.keys(MONTHS) as Month[]) {
    it(`${month}: the baseline path gives the same verdicts, its sketch-based statistics within their bounds`, () => {
      const current = months[month];

      const exact = compareTables(january, current);
      const approx = compareToBaseline(
        baseline,
        monthShards(current, 4)
          .map((shard) => summarizeShard(baseline, shard))
          .reduce(mergeSummaries),
      );

      expect(approx.dataset).toEqual(exact.dataset);
      const bounds: number[] = [];
      for (const feature of DRIFT_FEATURES) {
        const [a, e] = [approx.features[feature]!, exact.features[feature]!];
        expect(a.verdict, feature).toBe(e.verdict);
        for (const statistic of BOUNDED) {
          if (e[statistic] === undefined) continue;
          const bound = a.errorBounds?.[statistic] ?? 0;
          bounds.push(bound);
          // The sketch reports the low end of an interval that holds the exact value: [value, value + bound].
          expect(e[statistic]! - a[statistic]!, `${feature} ${statistic}`).toBeGreaterThanOrEqual(-1e-12);
          expect(e[statistic]! - a[statistic]!, `${feature} ${statistic}`).toBeLessThanOrEqual(bound + 1e-12);
        }
        for (const statistic of EXACT)
          if (e[statistic] !== undefined)
            expect(a[statistic], `${feature} ${statistic}`).toBeCloseTo(e[statistic]!, 9);
      }
      // The bounds are exercised (some statistic is approximate) and worth having (a few thousandths).
      expect(Math.max(...bounds)).toBeGreaterThan(0);
      expect(Math.max(...bounds)).toBeLessThan(0.01);
    });
  }

  it('mlops drift compare gives the same report on the samples written as CSV', async () => {
    const cli = spawnNode(
      [
        'bin/mlops.mjs',
        'drift',
        'compare',
        '--reference',
        join(dir, 'january.csv'),
        '--current',
        join(dir, 'march.csv'),
        '--json',
      ],
      {},
    );
    const code = await new Promise<number | null>((resolve) => cli.child.on('exit', resolve));

    expect(code, cli.output()).toBe(0);
    const report = JSON.parse(cli.output()) as DriftReport;
    const inProcess = compareTables(january, months.March);
    expect(report.features).toEqual(JSON.parse(JSON.stringify(inProcess.features)));
    expect(report.dataset).toEqual({ drift: false, share: 1 / 6 });
  });
});
