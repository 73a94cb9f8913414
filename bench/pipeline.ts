// The training pipeline end to end on the local platform (issue 5: 200k flights rows, validate →
// register in ≤ 30 s), on the real flights data of examples/flights/train.ts: each step's time as the
// execution records it, the total, and a floor measured in the same run — XGBoost alone on the very
// matrix the Train step read (the execution's train channel), with the same hyperparameters: the one
// piece of work no pipeline can skip. total / floor is what the rest of the pipeline costs on top.
// Ingestion is setup, timed but outside the total.
// Run: node --import tsx bench/pipeline.ts   (BENCH_ROWS, default 200000)
import '../local/shims/promise-with-resolvers';
import { loadavg } from 'node:os';
import {
  entityRowsOf,
  fmtInt,
  ingestFlightGroups,
  openPlatform,
  putJsonLines,
  quietHandlers,
  readFlightsData,
} from '../examples/flights/common';
import { delayRequest, type Execution, spanMs, stepMs } from '../examples/flights/delay-model';
import { executionObjectPrefix } from '../lambdas/pipelines/keys';
import { parseHyperparameters } from '../lambdas/pipelines/training/hyperparameters';
import { trainXgboost } from '../lambdas/pipelines/training/xgboost-trainer';
import { parseChannel } from '../local/pipelines/sagemaker-training-job';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const TARGET_MS = 30_000;
quietHandlers();

const line = (label: string, ms: number, extra = '') =>
  console.log(`${label.padEnd(40)} ${(ms / 1000).toFixed(2).padStart(7)} s${extra}`);

// The machine is shared: the load beside the figures says how far to trust them.
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(`load average at start: ${load()}`);
const platform = await openPlatform(undefined, 'bench');
const local = platform.local!;
try {
  // --- setup: the two feature groups and the entity rows ---------------------------------------------
  let t = performance.now();
  const data = await readFlightsData(ROWS);
  line(`setup: read + derive (${fmtInt(data.flights.length)} flights)`, performance.now() - t);
  for (const { group, result } of await ingestFlightGroups(platform.api, data)) {
    if (result.rejected > 0) throw new Error(`${group}: ${result.rejected} records rejected`);
    line(`setup: ingest ${group} (${fmtInt(result.accepted)})`, result.seconds * 1000);
  }
  const entitiesUri = await putJsonLines(
    local.objects,
    'bench/flights-entities.jsonl',
    entityRowsOf(data.flights),
  );

  // --- the pipeline ------------------------------------------------------------------------------------
  const request = delayRequest('flight-delay-bench', { entitiesUri });
  t = performance.now();
  const { executionId } = await platform.api<{ executionId: string }>(
    'POST',
    '/pipelines/training/executions',
    request,
  );
  await local.workflows.drain();
  const wallMs = performance.now() - t;
  const execution = await platform.api<Execution>('GET', `/pipelines/executions/${executionId}`);
  if (execution.status !== 'SUCCEEDED')
    throw new Error(`the pipeline ended ${execution.status}: ${execution.error} ${execution.cause}`);
  console.log(
    `pipeline ${executionId}: ${request.features.length} features, ${JSON.stringify(request.hyperparameters)}`,
  );
  for (const step of execution.steps) line(`  ${step.name}`, stepMs(step));
  const totalMs = spanMs(execution.steps, 'ValidateData', 'Register');
  line(
    'total validate → register',
    totalMs,
    `   (target ≤ ${TARGET_MS / 1000} s: ${totalMs <= TARGET_MS ? 'met' : 'NOT met'})`,
  );
  line('POST → drained (as the caller sees it)', wallMs);

  // --- the floor: XGBoost alone on the same matrix -------------------------------------------------------
  const text = new TextDecoder().decode(
    (await local.objects.get(`${executionObjectPrefix(executionId)}channels/train.csv`))!.body,
  );
  const channel = parseChannel(text);
  t = performance.now();
  const bare = await trainXgboost(channel, parseHyperparameters(request.hyperparameters));
  const floorMs = performance.now() - t;
  line(`floor: XGBoost alone (${fmtInt(channel.rows)} × ${channel.columns})`, floorMs);
  const train = execution.steps.find((s) => s.name === 'Train')!;
  console.log(
    `total / floor: ${(totalMs / floorMs).toFixed(1)}×   Train step / floor: ${(stepMs(train) / floorMs).toFixed(2)}×`,
  );
  const version = await platform.api<{ artifactSha256: string }>(
    'GET',
    `/models/flight-delay-bench/versions/${execution.output?.modelVersion}`,
  );
  const m = execution.output?.metrics ?? {};
  console.log(
    `held-out auc ${m.auc?.toFixed(4)}, accuracy ${m.accuracy?.toFixed(4)}, log loss ${m.logloss?.toFixed(4)}; ` +
      `dataset ${execution.output?.datasetVersion?.sha256.slice(0, 16)}…, artifact ${version.artifactSha256.slice(0, 16)}…` +
      ` (bare training gives ${bare.sha256 === version.artifactSha256 ? 'the same' : 'another'} artifact)`,
  );
  console.log(`load average at end: ${load()}`);
} finally {
  await platform.close();
}
