// A delayed-flight classifier (delay > 15 min) on the training pipeline, on real data: a fixed sample of
// the 3,000,000 US flights of vega-datasets (2001-01-01..2001-07-01).
//
//   1. DuckDB derives two feature groups from the Parquet file: `flight` (per flight, keyed by
//      flight_id: month, day of week, hour, distance, origin, destination — what is known when the
//      flight is scheduled) and `airport_daily` (per origin and day: the previous full day's delays,
//      as in run.ts). Both are applied and ingested over HTTP.
//   2. The entity rows (flight_id, origin, departure time, label) go to the platform's object store and
//      the pipeline is started: validate → point-in-time training set → XGBoost → evaluate on June
//      (held out by time) → gate (AUC ≥ 0.6) → register → notify.
//   3. The script follows the steps and prints each one's time, the held-out metrics, the registered
//      version and its lineage.
//
// Run:  node --import tsx examples/flights/train.ts                  (starts the local platform in a temp dir)
//       node --import tsx examples/flights/train.ts --api http://127.0.0.1:8787 --home ~/.mlops
// Options: --rows N (flights sampled, default 200000), --api URL (a running platform), --home DIR (that
// platform's MLOPS_HOME, to put more than 50,000 entity rows in its store: there is no upload route),
// --model NAME (default flight-delay), --chunk N (records per ingest request, default 5000).
//
// The local Step Functions runner needs Promise.withResolvers, which Node 20 lacks.
import '../../local/shims/promise-with-resolvers';
import { parseArgs } from 'node:util';
import {
  type Api,
  entityRowsOf,
  fmtInt,
  ingestFlightGroups,
  type Json,
  objectStoreOf,
  openPlatform,
  putJsonLines,
  quietHandlers,
  readFlightsData,
  seconds,
} from './common';
import {
  delayRequest,
  type Execution,
  type ExecutionStep,
  HELD_OUT_FROM,
  spanMs,
  stepMs,
} from './delay-model';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    api: { type: 'string' },
    home: { type: 'string' },
    model: { type: 'string', default: 'flight-delay' },
    chunk: { type: 'string', default: '5000' },
  },
});
const ROWS = Number(args.rows);
const CHUNK = Number(args.chunk);
// An entity row is ~90 bytes of JSON; 50,000 keep the request well under the API's 6 MB body limit.
const MAX_INLINE_ROWS = 50_000;
if (!(Number.isInteger(ROWS) && ROWS > 0))
  throw new Error(`--rows must be a positive integer, not ${args.rows}`);

quietHandlers();

interface VersionView {
  readonly version: number;
  readonly status: string;
  readonly artifactSha256: string;
  readonly lineage: {
    readonly datasets: readonly {
      readonly sha256: string;
      readonly rowCount: number;
      readonly uri: string;
    }[];
    readonly featureGroups: readonly { readonly name: string; readonly version: number }[];
    readonly trainingRun?: { readonly runId: string };
    readonly code?: Json;
  };
}

/** Polls the execution until it closes, telling `onStep` of each step as it ends. */
const waitForExecution = async (
  api: Api,
  executionId: string,
  onStep: (step: ExecutionStep) => void = () => {},
): Promise<Execution> => {
  let told = 0;
  for (;;) {
    const execution = await api<Execution>('GET', `/pipelines/executions/${executionId}`);
    const ended = execution.steps.filter((s) => s.endedAt !== undefined);
    for (; told < ended.length; told++) onStep(ended[told]!);
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

const main = async () => {
  const platform = await openPlatform(args.api);
  const { api } = platform;
  try {
    console.log(`platform: ${platform.label}`);

    // --- 1. Features from the Parquet file, into the feature store ----------------------------------
    const t0 = performance.now();
    const data = await readFlightsData(ROWS);
    const { flights } = data;
    console.log(
      `read 3M flights: ${fmtInt(data.daily.length)} airport-day records and a sample of ${fmtInt(flights.length)} flights in ${seconds(t0).toFixed(2)} s`,
    );
    const positives = flights.filter((f) => f.delayed === true).length;
    const heldOut = flights.filter((f) => String(f.eventTime) >= HELD_OUT_FROM);
    // What always answering "on time" scores on the held-out month: the accuracy to beat.
    const majority = heldOut.filter((f) => f.delayed !== true).length / heldOut.length;
    console.log(
      `  label delayed > 15: ${((100 * positives) / flights.length).toFixed(1)} % positive; ` +
        `held out (from ${HELD_OUT_FROM}): ${fmtInt(heldOut.length)} flights, ${(100 * (1 - majority)).toFixed(1)} % delayed`,
    );
    for (const { group, version, result } of await ingestFlightGroups(api, data, CHUNK)) {
      console.log(
        `${group} version ${version}: ingested ${fmtInt(result.accepted)} records (${result.rejected} rejected) ` +
          `in ${result.requests} requests, ${result.seconds.toFixed(2)} s (${fmtInt(result.accepted / result.seconds)} records/s)`,
      );
      if (result.firstRejection !== undefined)
        console.log(`  first rejection: ${JSON.stringify(result.firstRejection)}`);
    }

    // --- 2. Start the pipeline -----------------------------------------------------------------------
    const entities = entityRowsOf(flights);
    const objects = objectStoreOf(platform, args.home);
    if (!objects && entities.length > MAX_INLINE_ROWS)
      throw new Error(
        `${fmtInt(entities.length)} entity rows are too many to send inline (≤ ${fmtInt(MAX_INLINE_ROWS)}); ` +
          'give --home (the MLOPS_HOME of the platform at --api) so they can go to its object store',
      );
    const source = objects
      ? {
          entitiesUri: await putJsonLines(
            objects,
            `examples/flights/entities-${entities.length}.jsonl`,
            entities,
          ),
        }
      : { entities };
    const request = delayRequest(args.model!, source);
    console.log(
      `pipeline: ${request.features.length} features, ${JSON.stringify(request.hyperparameters)}, split ${JSON.stringify(request.split)}`,
    );
    const t = performance.now();
    const { executionId } = await api<{ executionId: string }>(
      'POST',
      '/pipelines/training/executions',
      request,
    );
    console.log(`execution ${executionId}`);
    const execution: Execution = await waitForExecution(api, executionId, (step) =>
      console.log(
        `  ${step.name.padEnd(18)} ${step.status.padEnd(9)} ${(stepMs(step) / 1000).toFixed(2).padStart(7)} s`,
      ),
    );
    console.log(
      `${execution.status}: validate → register ${(spanMs(execution.steps, 'ValidateData', 'Register') / 1000).toFixed(2)} s; ` +
        `start → closed ${seconds(t).toFixed(2)} s (as this client saw it)`,
    );
    if (execution.status !== 'SUCCEEDED') {
      console.log(`  error ${execution.error}: ${execution.cause?.slice(0, 2000)}`);
      process.exitCode = 1;
      return;
    }

    // --- 3. The outcome ------------------------------------------------------------------------------
    const metrics = execution.output?.metrics ?? {};
    console.log(
      `held-out (June) auc ${metrics.auc?.toFixed(4)}, accuracy ${metrics.accuracy?.toFixed(4)} ` +
        `(always "on time": ${majority.toFixed(4)}), log loss ${metrics.logloss?.toFixed(4)}`,
    );
    const version = await api<VersionView>(
      'GET',
      `/models/${encodeURIComponent(args.model!)}/versions/${execution.output?.modelVersion}`,
    );
    console.log(
      `registered ${args.model} version ${version.version} (${version.status}), artifact sha256 ${version.artifactSha256}`,
    );
    for (const dataset of version.lineage.datasets)
      console.log(`  dataset sha256 ${dataset.sha256}, ${fmtInt(dataset.rowCount)} rows, ${dataset.uri}`);
    console.log(
      `  feature groups ${version.lineage.featureGroups.map((g) => `${g.name}@${g.version}`).join(', ')}; ` +
        `run ${version.lineage.trainingRun?.runId}; code ${JSON.stringify(version.lineage.code)}`,
    );
  } finally {
    await platform.close();
  }
};

await main();
