// One month of the flights file as the drift engine's columns: what drift.ts and
// test/e2e/flights-drift.test.ts compare month against month (the table from common.ts `loadFlights`).
import type { DuckDBConnection } from '@duckdb/node-api';

/** The features compared month against month: the file's own columns and two read off the departure. */
export const DRIFT_FEATURES = ['delay', 'distance', 'origin', 'destination', 'hour', 'day_of_week'] as const;

/**
 * One month of 2001 (1 = January) in departure order: all of it, or `sample` flights taken evenly
 * (every total/sample-th), so a sample keeps the month's mix of weekdays and hours, which a random one
 * would blur. The 6 flights stamped 2001-07-01 00:00 fall in no month of the first half.
 */
export const flightsMonthSql = (month: number, sample?: number) => {
  const features = `delay::DOUBLE AS delay, distance::DOUBLE AS distance, origin, destination,
         hour(date)::DOUBLE AS hour, isodow(date)::DOUBLE AS day_of_week`;
  const order = 'date, origin, destination, distance, delay';
  const inMonth = `date_trunc('month', date) = TIMESTAMP '2001-${String(Math.trunc(month)).padStart(2, '0')}-01'`;
  if (sample === undefined) return `SELECT ${features} FROM flights WHERE ${inMonth} ORDER BY ${order}`;
  const n = Math.trunc(sample);
  return `
  SELECT ${features} FROM (
    SELECT *, row_number() OVER (ORDER BY ${order}) - 1 AS position, count(*) OVER () AS total
    FROM flights WHERE ${inMonth})
  WHERE (position * ${n}) % total < ${n} ORDER BY position`;
};

export type FlightColumns = Record<string, Float64Array | (string | null)[]>;

/** A month's features as columns: numbers in Float64Arrays (NaN = missing), airports as text. */
export const readFlightsMonth = async (
  db: DuckDBConnection,
  month: number,
  sample?: number,
): Promise<FlightColumns> => {
  const columns = (await db.runAndReadAll(flightsMonthSql(month, sample))).getColumnsObjectJS();
  return Object.fromEntries(
    Object.entries(columns).map(([name, values]) => [
      name,
      name === 'origin' || name === 'destination'
        ? (values as (string | null)[])
        : Float64Array.from(values, (value) => (value === null ? Number.NaN : Number(value))),
    ]),
  );
};

/** `count` contiguous row ranges in departure order: the shards (files of a few days) a drift job fans out over. */
export const monthShards = (month: FlightColumns, count: number): FlightColumns[] => {
  const rows = Object.values(month)[0]?.length ?? 0;
  return Array.from({ length: count }, (_, s) => {
    const [from, to] = [Math.floor((s * rows) / count), Math.floor(((s + 1) * rows) / count)];
    return Object.fromEntries(
      Object.entries(month).map(([name, column]) => [
        name,
        column instanceof Float64Array ? column.subarray(from, to) : column.slice(from, to),
      ]),
    );
  });
};
