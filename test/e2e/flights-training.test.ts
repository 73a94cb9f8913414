/**
 * The delayed-flight classifier of examples/flights/train.ts on a small sample of the real flights
 * file: two feature groups ingested over HTTP, the training pipeline on the local platform, June held
 * out. Run twice on two fresh platforms (fresh stores, everything ingested again), it must give the
 * same training set and a byte-identical model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExamplePlatform,
  entityRowsOf,
  type FlightsData,
  ingestFlightGroups,
  type Json,
  openPlatform,
  putJsonLines,
  readFlightsData,
} from '../../examples/flights/common';
import { delayRequest, type Execution, HELD_OUT_FROM } from '../../examples/flights/delay-model';
import { TRAINING_PIPELINE_STEPS } from '../support/pipeline-steps';

const ROWS = 20_000;
const MODEL = 'flight-delay';

interface Outcome {
  readonly execution: Execution;
  readonly version: {
    readonly artifactSha256: string;
    readonly metrics: Record<string, number>;
    readonly lineage: {
      readonly datasets: readonly { readonly sha256: string }[];
      readonly featureGroups: readonly { readonly name: string; readonly version: number }[];
    };
  };
}

/** Ingests both groups into a fresh platform, runs the pipeline to its end and reads the version. */
const trainOnFreshPlatform = async (data: FlightsData, platforms: ExamplePlatform[]): Promise<Outcome> => {
  const platform = await openPlatform(undefined, 'flights-test');
  platforms.push(platform);
  for (const { group, result } of await ingestFlightGroups(platform.api, data))
    expect(result.rejected, group).toBe(0);
  const entitiesUri = await putJsonLines(
    platform.local!.objects,
    'test/flights-entities.jsonl',
    entityRowsOf(data.flights),
  );
  const { executionId } = await platform.api<{ executionId: string }>(
    'POST',
    '/pipelines/training/executions',
    delayRequest(MODEL, { entitiesUri }),
  );
  await platform.local!.workflows.drain();
  const execution = await platform.api<Execution>('GET', `/pipelines/executions/${executionId}`);
  expect(execution.status, JSON.stringify(execution)).toBe('SUCCEEDED');
  const version = await platform.api<Outcome['version']>(
    'GET',
    `/models/${MODEL}/versions/${execution.output?.modelVersion}`,
  );
  return { execution, version };
};

/** Log loss of always predicting the held-out month's own delayed share: an oracle constant. */
const constantLogLoss = (heldOut: readonly Json[]): number => {
  const p = heldOut.filter((f) => f.delayed === true).length / heldOut.length;
  return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
};

describe('the delayed-flight classifier on the flights data', () => {
  const platforms: ExamplePlatform[] = [];
  let data: FlightsData;
  let first: Outcome;

  beforeAll(async () => {
    data = await readFlightsData(ROWS);
    first = await trainOnFreshPlatform(data, platforms);
  }, 120_000);
  afterAll(async () => {
    for (const platform of platforms) await platform.close();
  });

  it('trains, evaluates on the held-out month and registers the version with its lineage', () => {
    expect(first.execution.steps.map((s) => s.name)).toEqual(TRAINING_PIPELINE_STEPS);
    expect(first.execution.output?.datasetVersion?.rowCount).toBe(ROWS);
    expect(first.version.lineage.featureGroups).toEqual([
      { name: 'flight', version: 1 },
      { name: 'airport_daily', version: 1 },
    ]);
    expect(first.version.lineage.datasets[0]?.sha256).toBe(first.execution.output?.datasetVersion?.sha256);
  });

  it('learns something real but modest: held-out AUC in [0.62, 0.72], log loss below the best constant', () => {
    // Measured on these 20k flights (June: 3,322 rows): 0.678 with all features, 0.671 with the flight
    // group alone, 0.539 with the airport group alone (whose log loss, 0.510, is worse than the
    // constant's 0.502). Delays are hard to predict from schedules: near 0.5 the features were lost on
    // the way, near 0.9 the label leaked into them.
    const metrics = first.execution.output?.metrics ?? {};
    expect(metrics.auc).toBeGreaterThan(0.62);
    expect(metrics.auc).toBeLessThan(0.72);
    const heldOut = data.flights.filter((f) => String(f.eventTime) >= HELD_OUT_FROM);
    expect(metrics.logloss).toBeLessThan(constantLogLoss(heldOut));
  });

  it('is reproducible across platforms: the same data gives the same training set and model bytes', async () => {
    const second = await trainOnFreshPlatform(data, platforms);
    expect(second.execution.output?.datasetVersion?.sha256).toBe(
      first.execution.output?.datasetVersion?.sha256,
    );
    expect(second.version.artifactSha256).toBe(first.version.artifactSha256);
    expect(second.version.metrics).toEqual(first.version.metrics);
  }, 120_000);
});
