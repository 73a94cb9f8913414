// What the flights walk-throughs share (run.ts: the feature store; train.ts and bench/pipeline.ts: the
// training pipeline): the vega-datasets Parquet file, a bare HTTP client, the platform (started in a
// temp dir or one already running), chunked ingestion, and the two feature groups built from the file.
// The classifier trained on them is in delay-model.ts; the month-by-month drift readers in months.ts.
//
// The file's times are local departure times without a zone; these examples read them as UTC.

import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import { systemClock } from '../../lambdas/shared/ports/clock';
import type { ObjectStore } from '../../lambdas/shared/ports/object-store';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';

export type Json = Record<string, unknown>;
export type Api = <T = Json>(method: string, path: string, body?: unknown) => Promise<T>;

// The package exports only its JS entry (build/index.js); the data files sit beside it in data/.
export const FLIGHTS_PARQUET = join(
  dirname(createRequire(import.meta.url).resolve('vega-datasets')),
  '..',
  'data',
  'flights-3m.parquet',
);

/** The Lambda handlers log and emit metrics through Powertools; keeps an example's output readable. */
export const quietHandlers = (): void => {
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
};

export const seconds = (from: number) => (performance.now() - from) / 1000;
export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

const isConnectionReset = (error: unknown): boolean =>
  error instanceof TypeError && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNRESET';

/**
 * A bare JSON client: the examples talk to the platform over HTTP only, like the CLI does. A GET that
 * meets a reset connection is sent again: a platform in this process keeps its event loop busy for
 * seconds inside a pipeline step, and a keep-alive socket it closed meanwhile resets the next request.
 */
export const apiAt =
  (base: string, actor = 'flights-example'): Api =>
  async <T = Json>(method: string, path: string, body?: unknown): Promise<T> => {
    const send = () =>
      fetch(`${base}${path}`, {
        method,
        headers: { accept: 'application/json', 'content-type': 'application/json', 'x-mlops-actor': actor },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const response = await send().catch((error: unknown) => {
      if (method === 'GET' && isConnectionReset(error)) return send();
      throw error;
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 2000)}`);
    // JSON bodies are parsed; NDJSON (training-set rows) comes back as text, one row a line.
    return (
      /^application\/json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text
    ) as T;
  };

export interface ExamplePlatform {
  readonly api: Api;
  /** What to print: the URL given, or the temp MLOPS_HOME of the platform started here. */
  readonly label: string;
  /** The platform started in this process, if any (its `workflows.drain()`, its object store). */
  readonly local?: LocalPlatform;
  close(): Promise<void>;
}

/** The platform at `api`, or a local one started here in a temp dir that `close()` removes. */
export const openPlatform = async (api: string | undefined, actor?: string): Promise<ExamplePlatform> => {
  if (api) return { api: apiAt(api, actor), label: api, close: async () => {} };
  const work = mkdtempSync(join(tmpdir(), 'mlops-flights-'));
  const local = await startLocalPlatform(
    loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: work }, parseWebhookUrls),
    systemClock,
  );
  return {
    api: apiAt(local.url, actor),
    label: `local, MLOPS_HOME=${work}`,
    local,
    close: async () => {
      await local.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
};

/**
 * The platform's object store, where a request's entity rows can be put: there is no upload route, so
 * this needs the platform in this process or the MLOPS_HOME folder of a local server.
 */
export const objectStoreOf = (platform: ExamplePlatform, home?: string): ObjectStore | undefined =>
  platform.local?.objects ??
  (home ? new FileObjectStore({ root: join(home, 'objects'), clock: systemClock }) : undefined);

/** Puts rows as JSON lines under `key`; returns the URI a request names them by. */
export const putJsonLines = async (
  objects: ObjectStore,
  key: string,
  rows: readonly Json[],
): Promise<string> => {
  const body = `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
  await objects.put(key, Buffer.from(body), { contentType: 'application/x-ndjson' });
  return objects.uriOf(key);
};

export const rowsOf = async (db: DuckDBConnection, sql: string): Promise<Json[]> =>
  (await db.runAndReadAll(sql)).getRowObjectsJS() as Json[];

/** Loads the 3M flights into table `flights`. */
export const loadFlights = (db: DuckDBConnection) =>
  db.run(`CREATE TABLE flights AS SELECT * FROM read_parquet('${FLIGHTS_PARQUET.replaceAll("'", "''")}')`);

export interface IngestResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly firstRejection?: unknown;
  readonly requests: number;
  readonly seconds: number;
}

/** Ingests records through the API in requests of at most `chunk` records. */
export const ingest = async (
  api: Api,
  group: string,
  records: readonly Json[],
  chunk: number,
): Promise<IngestResult> => {
  const started = performance.now();
  let accepted = 0;
  let rejected = 0;
  let firstRejection: unknown;
  for (let i = 0; i < records.length; i += chunk) {
    const result = await api<{ accepted: number; rejected: unknown[] }>(
      'POST',
      `/feature-groups/${group}/records`,
      { records: records.slice(i, i + chunk) },
    );
    accepted += result.accepted;
    rejected += result.rejected.length;
    firstRejection ??= result.rejected[0];
  }
  return {
    accepted,
    rejected,
    ...(firstRejection === undefined ? {} : { firstRejection }),
    requests: Math.ceil(records.length / chunk),
    seconds: seconds(started),
  };
};

// --- airport_daily: the previous full day's departure statistics per origin --------------------------

export const AIRPORT_DAILY = 'airport_daily';
export const AIRPORT_DAILY_FEATURES = [
  'flights',
  'mean_delay',
  'p90_delay',
  'mean_distance',
  'share_delayed_15',
] as const;
export const AIRPORT_DAILY_TTL_SECONDS = 3 * 24 * 3600;

export const airportDailyGroup = {
  name: AIRPORT_DAILY,
  description: 'Daily departure statistics per origin airport (vega-datasets flights-3m, 2001).',
  owner: 'examples',
  entityKeys: ['origin'],
  eventTimeField: 'eventTime',
  // Not nullable: every (origin, day) record has at least one flight, so every value exists.
  features: [
    { name: 'flights', type: 'int', nullable: false, min: 1, description: 'departures that day' },
    { name: 'mean_delay', type: 'float', nullable: false, description: 'mean departure delay, minutes' },
    { name: 'p90_delay', type: 'float', nullable: false, description: '90th percentile delay, minutes' },
    { name: 'mean_distance', type: 'float', nullable: false, min: 0, description: 'mean distance, miles' },
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
  ttlSeconds: AIRPORT_DAILY_TTL_SECONDS,
};

// One record per (origin, day). Event time = the end of the day, i.e. the next midnight UTC: the day
// covers [D, D+1), so a training row at time t only sees days that were complete at t — no leakage
// from flights later the same day. Ints and doubles are cast so the values arrive as plain JS numbers.
export const AIRPORT_DAILY_SQL = `
  SELECT origin,
         strftime(date_trunc('day', date) + INTERVAL 1 DAY, '%Y-%m-%dT%H:%M:%SZ') AS eventTime,
         count(*)::INTEGER                                          AS flights,
         avg(delay)::DOUBLE                                         AS mean_delay,
         quantile_cont(delay, 0.9)::DOUBLE                          AS p90_delay,
         avg(distance)::DOUBLE                                      AS mean_distance,
         avg(CASE WHEN delay > 15 THEN 1 ELSE 0 END)::DOUBLE        AS share_delayed_15
  FROM flights GROUP BY origin, date_trunc('day', date) ORDER BY eventTime, origin`;

// --- flight: what is known of one flight when it is scheduled ------------------------------------------

export const FLIGHT = 'flight';
export const FLIGHT_FEATURES = ['month', 'day_of_week', 'hour', 'distance', 'origin', 'destination'] as const;

export const flightGroup = {
  name: FLIGHT,
  description: 'Schedule facts of one flight (vega-datasets flights-3m, 2001), known before departure.',
  owner: 'examples',
  entityKeys: ['flight_id'],
  eventTimeField: 'eventTime',
  features: [
    { name: 'month', type: 'int', nullable: false, min: 1, max: 12, description: 'month of departure' },
    { name: 'day_of_week', type: 'int', nullable: false, min: 1, max: 7, description: 'ISO: 1 = Monday' },
    { name: 'hour', type: 'int', nullable: false, min: 0, max: 23, description: 'hour of departure' },
    { name: 'distance', type: 'float', nullable: false, min: 0, description: 'miles' },
    { name: 'origin', type: 'string', nullable: false, description: 'origin airport (IATA)' },
    { name: 'destination', type: 'string', nullable: false, description: 'destination airport (IATA)' },
  ],
};

/**
 * A fixed pseudo-random sample of n flights (ORDER BY hash(...) LIMIT), each with its schedule facts
 * and the label (delay > 15 min). A flight's id is its rank in the whole file, so it names the same
 * flight whatever the sample size; the same file gives the same rows, ids and order on every run.
 * The record's event time is the departure: the entity row at that instant sees it, no earlier row does.
 */
export const flightSampleSql = (n: number) => `
  WITH numbered AS (
    SELECT *, row_number() OVER (ORDER BY date, origin, destination, distance, delay) AS rank FROM flights),
  sample AS (
    SELECT * FROM numbered ORDER BY hash(date, origin, destination, delay, distance), rank LIMIT ${Math.trunc(n)})
  SELECT printf('F%07d', rank)                 AS flight_id,
         strftime(date, '%Y-%m-%dT%H:%M:%SZ') AS eventTime,
         month(date)::INTEGER                  AS month,
         isodow(date)::INTEGER                 AS day_of_week,
         hour(date)::INTEGER                   AS hour,
         distance::DOUBLE                      AS distance,
         origin, destination,
         delay > 15                            AS delayed
  FROM sample ORDER BY rank`;

export interface FlightsData {
  /** airport_daily records, from all 3M flights. */
  readonly daily: Json[];
  /** The sample: flight_id, eventTime, the schedule facts and the label `delayed`. */
  readonly flights: Json[];
}

/** Reads the Parquet file once with DuckDB: the airport-day records and a sample of `rows` flights. */
export const readFlightsData = async (rows: number): Promise<FlightsData> => {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    await loadFlights(db);
    return { daily: await rowsOf(db, AIRPORT_DAILY_SQL), flights: await rowsOf(db, flightSampleSql(rows)) };
  } finally {
    db.closeSync();
  }
};

/** Applies both groups and ingests their records; the label stays out of the feature store. */
export const ingestFlightGroups = async (
  api: Api,
  data: FlightsData,
  chunk = 5000,
): Promise<{ readonly group: string; readonly version: number; readonly result: IngestResult }[]> => {
  const done = [];
  for (const [definition, records] of [
    [airportDailyGroup, data.daily],
    [flightGroup, data.flights.map(({ delayed: _label, ...facts }) => facts)],
  ] as const) {
    const applied = await api<{ version: number }>('POST', '/feature-groups', definition);
    const result = await ingest(api, definition.name, records, chunk);
    done.push({ group: definition.name, version: applied.version, result });
  }
  return done;
};

/** The pipeline's entity rows: the keys of both groups, the departure time and the label. */
export const entityRowsOf = (flights: readonly Json[]): Json[] =>
  flights.map(({ flight_id, origin, eventTime, delayed }) => ({ flight_id, origin, eventTime, delayed }));
