// The feature store end to end on real data: 3,000,000 US flights (vega-datasets, 2001-01-01..2001-07-01).
//
//   1. DuckDB turns the flights Parquet into a daily feature group `airport_daily`, keyed by `origin`.
//   2. The group is applied and every record ingested through the HTTP API, as any client would.
//   3. A point-in-time training set is built for 20,000 June flights (label: delayed > 15 min), and the
//      script checks on a few rows that each feature comes from the last full day before departure.
//
// Run:  node --import tsx examples/flights/run.ts               (starts the local platform in a temp dir)
//       node --import tsx examples/flights/run.ts --api http://127.0.0.1:8787   (an `npm start` server)
// Options: --sample N (entity rows, default 20000), --chunk N (records per ingest request, default 5000).
//
// The file's times are local departure times without a zone; this example reads them as UTC.
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  AIRPORT_DAILY,
  AIRPORT_DAILY_FEATURES,
  AIRPORT_DAILY_SQL,
  AIRPORT_DAILY_TTL_SECONDS,
  airportDailyGroup,
  fmtInt,
  ingest,
  type Json,
  loadFlights,
  openPlatform,
  quietHandlers,
  rowsOf,
  seconds,
} from './common';

const { values: args } = parseArgs({
  options: {
    api: { type: 'string' },
    sample: { type: 'string', default: '20000' },
    chunk: { type: 'string', default: '5000' },
  },
});
const SAMPLE = Number(args.sample);
// Well under the API's 10,000 records and 10 MB per request (a record here is ~150 bytes of JSON).
const CHUNK = Number(args.chunk);

quietHandlers();

// June flights as entity rows. ORDER BY hash(...) LIMIT picks a fixed pseudo-random sample, so the
// same data gives the same entity rows and therefore the same training-set sha256 on every run.
const entitySql = (n: number) => `
  SELECT origin,
         strftime(date, '%Y-%m-%dT%H:%M:%SZ') AS eventTime,
         delay > 15                            AS delayed,
         distance::INTEGER                     AS distance
  FROM flights
  WHERE date >= TIMESTAMP '2001-06-01' AND date < TIMESTAMP '2001-07-01'
  ORDER BY hash(date, origin, destination, delay, distance), date, origin LIMIT ${n}`;

const main = async () => {
  const platform = await openPlatform(args.api);
  const { api } = platform;
  const duck = await DuckDBInstance.create(':memory:');
  const db = await duck.connect();
  try {
    console.log(`platform: ${platform.label}`);

    // --- 1. Features from the Parquet file ---------------------------------------------------------
    let t = performance.now();
    await loadFlights(db);
    const [shape] = await rowsOf(
      db,
      `SELECT count(*)::INTEGER AS n, count(DISTINCT origin)::INTEGER AS airports,
      strftime(min(date), '%Y-%m-%d %H:%M') AS first, strftime(max(date), '%Y-%m-%d %H:%M') AS last FROM flights`,
    );
    console.log(
      `read ${fmtInt(shape!.n as number)} flights, ${shape!.airports} origins, ${shape!.first} .. ${shape!.last} in ${seconds(t).toFixed(2)} s`,
    );
    t = performance.now();
    const records = await rowsOf(db, AIRPORT_DAILY_SQL);
    console.log(
      `computed ${fmtInt(records.length)} daily records (origin × day) in ${seconds(t).toFixed(2)} s`,
    );

    // --- 2. Apply the group and ingest through the API ---------------------------------------------
    const applied = await api('POST', '/feature-groups', airportDailyGroup);
    console.log(`applied ${AIRPORT_DAILY} version ${applied.version}`);

    const ingested = await ingest(api, AIRPORT_DAILY, records, CHUNK);
    if (ingested.firstRejection !== undefined)
      console.log(`  first rejection: ${JSON.stringify(ingested.firstRejection)}`);
    console.log(
      `ingested ${fmtInt(ingested.accepted)} records (${ingested.rejected} rejected) in ${ingested.requests} requests of ≤ ${CHUNK}: ` +
        `${ingested.seconds.toFixed(2)} s, ${fmtInt(ingested.accepted / ingested.seconds)} records/s`,
    );

    // --- 3. Point-in-time training set ---------------------------------------------------------------
    const entities = await rowsOf(db, entitySql(SAMPLE));
    const columns = AIRPORT_DAILY_FEATURES.map((f) => `${AIRPORT_DAILY}__${f}`);
    t = performance.now();
    const set = await api<{ id: string; rowCount: number; sha256: string; uri: string }>(
      'POST',
      '/training-sets',
      {
        features: AIRPORT_DAILY_FEATURES.map((f) => `${AIRPORT_DAILY}:${f}`),
        entities,
      },
    );
    const buildS = seconds(t);
    console.log(
      `training set ${set.id}: ${fmtInt(set.rowCount)} rows in ${buildS.toFixed(2)} s (POST /training-sets, ${fmtInt(entities.length)} entity rows inline)`,
    );
    console.log(`  sha256 ${set.sha256}`);
    console.log(`  stored at ${set.uri}`);

    // The rows as the API streams them (NDJSON): the same bytes the sha256 is taken over.
    const text = await api<string>('GET', `/training-sets/${encodeURIComponent(set.id)}/rows`);
    const rows = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Json);
    console.log(`  fetched ${fmtInt(rows.length)} rows; columns: ${Object.keys(rows[0] ?? {}).join(', ')}`);
    const positives = rows.filter((r) => r.delayed === true).length;
    console.log(`  label delayed > 15: ${((100 * positives) / rows.length).toFixed(1)} % positive`);
    for (const column of columns) {
      const nulls = rows.filter((r) => r[column] === null || r[column] === undefined).length;
      console.log(`  null share ${column.padEnd(34)} ${((100 * nulls) / rows.length).toFixed(2)} %`);
    }
    // Nulls should come from airports with no departures in the 3 days (TTL) before the flight.
    const nullAirports = new Set(rows.filter((r) => r[columns[0]!] === null).map((r) => r.origin));
    if (nullAirports.size > 0)
      console.log(
        `  rows with null features come from ${nullAirports.size} origins, e.g. ${[...nullAirports].slice(0, 8).join(', ')}`,
      );

    // --- 4. Sanity check: the join is point-in-time --------------------------------------------------
    // For a few rows, recompute straight from the raw flights what the join should have found: the
    // latest complete day D of that origin with end D+1 ≤ departure, and D+1 within the TTL. A row at
    // 14:05 on June 3 must see June 2's numbers (if the airport flew that day), never June 3's.
    const picks = [0, Math.floor(rows.length / 2), rows.length - 1].map((i) => rows[i]!);
    let mismatches = 0;
    for (const row of picks) {
      const at = new Date(String(row.eventTime)).toISOString().replace('.000Z', 'Z');
      const origin = String(row.origin).replaceAll("'", "''");
      const [expected] = await rowsOf(
        db,
        `
        WITH days AS (
          SELECT date_trunc('day', date) + INTERVAL 1 DAY AS day_end, count(*)::INTEGER AS flights,
                 avg(delay)::DOUBLE AS mean_delay, quantile_cont(delay, 0.9)::DOUBLE AS p90_delay,
                 avg(distance)::DOUBLE AS mean_distance,
                 avg(CASE WHEN delay > 15 THEN 1 ELSE 0 END)::DOUBLE AS share_delayed_15
          FROM flights WHERE origin = '${origin}' GROUP BY 1)
        SELECT strftime(day_end, '%Y-%m-%dT%H:%M:%SZ') AS day_end, * EXCLUDE (day_end) FROM days
        WHERE day_end <= TIMESTAMP '${at}' AND day_end > TIMESTAMP '${at}' - INTERVAL ${AIRPORT_DAILY_TTL_SECONDS} SECOND
        ORDER BY day_end DESC LIMIT 1`,
      );
      // Also what the same-day (leaky) value would have been, to show the check can tell them apart.
      const [sameDay] = await rowsOf(
        db,
        `SELECT avg(delay)::DOUBLE AS mean_delay FROM flights
        WHERE origin = '${origin}' AND date_trunc('day', date) = date_trunc('day', TIMESTAMP '${at}')`,
      );
      const ok = AIRPORT_DAILY_FEATURES.every((f) => {
        const got = row[`${AIRPORT_DAILY}__${f}`];
        const want = expected?.[f] ?? null;
        if (got === null || want === null) return got === want;
        return Math.abs(Number(got) - Number(want)) <= 1e-9 * Math.max(1, Math.abs(Number(want)));
      });
      if (!ok) mismatches++;
      console.log(
        `  check ${row.origin} departing ${at}: joined mean_delay=${row[`${AIRPORT_DAILY}__mean_delay`]} flights=${row[`${AIRPORT_DAILY}__flights`]}; ` +
          `expected (day ending ${expected?.day_end ?? 'none within TTL'}) mean_delay=${expected?.mean_delay ?? null} flights=${expected?.flights ?? null}; ` +
          `same-day mean_delay would be ${sameDay?.mean_delay ?? null} → ${ok ? 'OK' : 'MISMATCH'}`,
      );
    }
    console.log(
      mismatches === 0 ? 'point-in-time check: OK' : `point-in-time check: ${mismatches} MISMATCH(ES)`,
    );
    if (mismatches > 0) process.exitCode = 1;
  } finally {
    db.closeSync();
    await platform.close();
  }
};

await main();
