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
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { startLocalPlatform } from '../../local/platform';

type Json = Record<string, unknown>;

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
const GROUP = 'airport_daily';
const FEATURES = ['flights', 'mean_delay', 'p90_delay', 'mean_distance', 'share_delayed_15'] as const;
const TTL_SECONDS = 3 * 24 * 3600;
// The package exports only its JS entry (build/index.js); the data files sit beside it in data/.
const PARQUET = join(
  dirname(createRequire(import.meta.url).resolve('vega-datasets')),
  '..',
  'data',
  'flights-3m.parquet',
);

// The Lambda handlers log and emit metrics through Powertools; keep the example's output readable.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const seconds = (from: number) => (performance.now() - from) / 1000;
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A bare JSON client: the example talks to the platform over HTTP only, like the CLI does. */
const apiAt =
  (base: string) =>
  async <T = Json>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-mlops-actor': 'flights-example',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 2000)}`);
    // JSON bodies are parsed; NDJSON (training-set rows) comes back as text, one row a line.
    return (
      /^application\/json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text
    ) as T;
  };

const rowsOf = async (db: DuckDBConnection, sql: string): Promise<Json[]> =>
  (await db.runAndReadAll(sql)).getRowObjectsJS() as Json[];

// One record per (origin, day). Event time = the end of the day, i.e. the next midnight UTC: the day
// covers [D, D+1), so a training row at time t only sees days that were complete at t — no leakage
// from flights later the same day. Ints and doubles are cast so the values arrive as plain JS numbers.
const DAILY_SQL = `
  SELECT origin,
         strftime(date_trunc('day', date) + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M:%SZ') AS eventTime,
         count(*)::INTEGER                                          AS flights,
         avg(delay)::DOUBLE                                         AS mean_delay,
         quantile_cont(delay, 0.9)::DOUBLE                          AS p90_delay,
         avg(distance)::DOUBLE                                      AS mean_distance,
         avg(CASE WHEN delay > 15 THEN 1 ELSE 0 END)::DOUBLE        AS share_delayed_15
  FROM flights GROUP BY origin, date_trunc('day', date) ORDER BY eventTime, origin`;

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
  const work = args.api ? undefined : mkdtempSync(join(tmpdir(), 'mlops-flights-'));
  const platform = work
    ? await startLocalPlatform(loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: work }, parseWebhookUrls))
    : undefined;
  const api = apiAt(args.api ?? platform!.url);
  const duck = await DuckDBInstance.create(':memory:');
  const db = await duck.connect();
  try {
    console.log(`platform: ${args.api ?? `local, MLOPS_HOME=${work}`}`);

    // --- 1. Features from the Parquet file ---------------------------------------------------------
    let t = performance.now();
    await db.run(`CREATE TABLE flights AS SELECT * FROM read_parquet('${PARQUET.replaceAll("'", "''")}')`);
    const [shape] = await rowsOf(
      db,
      `SELECT count(*)::INTEGER AS n, count(DISTINCT origin)::INTEGER AS airports,
      strftime(min(date), '%Y-%m-%d %H:%M') AS first, strftime(max(date), '%Y-%m-%d %H:%M') AS last FROM flights`,
    );
    console.log(
      `read ${fmtInt(shape!.n as number)} flights, ${shape!.airports} origins, ${shape!.first} .. ${shape!.last} in ${seconds(t).toFixed(2)} s`,
    );
    t = performance.now();
    const records = await rowsOf(db, DAILY_SQL);
    console.log(
      `computed ${fmtInt(records.length)} daily records (origin × day) in ${seconds(t).toFixed(2)} s`,
    );

    // --- 2. Apply the group and ingest through the API ---------------------------------------------
    const applied = await api('POST', '/feature-groups', {
      name: GROUP,
      description: 'Daily departure statistics per origin airport (vega-datasets flights-3m, 2001).',
      owner: 'examples',
      entityKeys: ['origin'],
      eventTimeField: 'eventTime',
      // Not nullable: every (origin, day) record has at least one flight, so every value exists.
      features: [
        { name: 'flights', type: 'int', nullable: false, min: 1, description: 'departures that day' },
        { name: 'mean_delay', type: 'float', nullable: false, description: 'mean departure delay, minutes' },
        { name: 'p90_delay', type: 'float', nullable: false, description: '90th percentile delay, minutes' },
        {
          name: 'mean_distance',
          type: 'float',
          nullable: false,
          min: 0,
          description: 'mean distance, miles',
        },
        {
          name: 'share_delayed_15',
          type: 'float',
          nullable: false,
          min: 0,
          max: 1,
          description: 'share of departures delayed > 15 min',
        },
      ],
      // A day's numbers stop describing an airport after a few days; older values read as null.
      ttlSeconds: TTL_SECONDS,
    });
    console.log(`applied ${GROUP} version ${applied.version}`);

    t = performance.now();
    let accepted = 0;
    let rejected = 0;
    for (let i = 0; i < records.length; i += CHUNK) {
      const result = await api<{ accepted: number; rejected: unknown[] }>(
        'POST',
        `/feature-groups/${GROUP}/records`,
        {
          records: records.slice(i, i + CHUNK),
        },
      );
      accepted += result.accepted;
      rejected += result.rejected.length;
      if (result.rejected.length > 0 && rejected === result.rejected.length)
        console.log(`  first rejection: ${JSON.stringify(result.rejected[0])}`);
    }
    const ingestS = seconds(t);
    console.log(
      `ingested ${fmtInt(accepted)} records (${rejected} rejected) in ${Math.ceil(records.length / CHUNK)} requests of ≤ ${CHUNK}: ` +
        `${ingestS.toFixed(2)} s, ${fmtInt(accepted / ingestS)} records/s`,
    );

    // --- 3. Point-in-time training set ---------------------------------------------------------------
    const entities = await rowsOf(db, entitySql(SAMPLE));
    const columns = FEATURES.map((f) => `${GROUP}__${f}`);
    t = performance.now();
    const set = await api<{ id: string; rowCount: number; sha256: string; uri: string }>(
      'POST',
      '/training-sets',
      {
        features: FEATURES.map((f) => `${GROUP}:${f}`),
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
        WHERE day_end <= TIMESTAMP '${at}' AND day_end > TIMESTAMP '${at}' - INTERVAL ${TTL_SECONDS} SECOND
        ORDER BY day_end DESC LIMIT 1`,
      );
      // Also what the same-day (leaky) value would have been, to show the check can tell them apart.
      const [sameDay] = await rowsOf(
        db,
        `SELECT avg(delay)::DOUBLE AS mean_delay FROM flights
        WHERE origin = '${origin}' AND date_trunc('day', date) = date_trunc('day', TIMESTAMP '${at}')`,
      );
      const ok = FEATURES.every((f) => {
        const got = row[`${GROUP}__${f}`];
        const want = expected?.[f] ?? null;
        if (got === null || want === null) return got === want;
        return Math.abs(Number(got) - Number(want)) <= 1e-9 * Math.max(1, Math.abs(Number(want)));
      });
      if (!ok) mismatches++;
      console.log(
        `  check ${row.origin} departing ${at}: joined mean_delay=${row[`${GROUP}__mean_delay`]} flights=${row[`${GROUP}__flights`]}; ` +
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
    await platform?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }
};

await main();
