import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeTable, fitEncoding } from '../../../../lambdas/pipelines/training/encoding';
import { evaluatePredictions } from '../../../../lambdas/pipelines/training/evaluate';
import {
  type HyperparametersInput,
  parseHyperparameters,
} from '../../../../lambdas/pipelines/training/hyperparameters';
import { splitRows } from '../../../../lambdas/pipelines/training/split';
import type { TrainingTable } from '../../../../lambdas/pipelines/training/table';
import { trainBooster } from '../../../../lambdas/pipelines/training/wasm-booster';
import { loadModel, trainXgboost } from '../../../../lambdas/pipelines/training/xgboost-trainer';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { FEATURES, syntheticTable, withShuffledLabels } from '../../../fixtures/training/synthetic';
import { trainFixture } from '../../../fixtures/training/train-fixture';
import { PROCESS_TEST_OPTIONS } from '../../../support/processes';

/** Split, encode, train and score the held-out rows, as the pipeline's steps do. */
const trainAndScore = async (table: TrainingTable, input: HyperparametersInput) => {
  const hyperparameters = parseHyperparameters({ num_round: 30, max_depth: 4, ...input });
  const split = splitRows(table, { validationFraction: 0.25 }, { seed: hyperparameters.seed });
  const encoding = fitEncoding(
    table,
    {
      label: 'label',
      featureColumns: [...FEATURES],
      objective: hyperparameters.objective,
      numClass: hyperparameters.num_class,
    },
    split.train,
  );
  const trained = await trainXgboost(encodeTable(encoding, table, split.train), hyperparameters, encoding);
  const model = await loadModel(trained.artifact);
  try {
    const validation = encodeTable(encoding, table, split.validation);
    const predictions = model.predict(validation.matrix, validation.rows, validation.columns);
    return {
      trained,
      predictions,
      labels: validation.labels,
      trainLabels: encodeTable(encoding, table, split.train).labels,
      metrics: evaluatePredictions(hyperparameters.objective, validation.labels, predictions).metrics,
      fromTable: model.predictTable(table, split.validation),
    };
  } finally {
    model.free();
  }
};

describe('training: in-process XGBoost', () => {
  it('learns a separable problem: held-out AUC above 0.9', async () => {
    const { metrics } = await trainAndScore(syntheticTable({ rows: 3000, seed: 1, task: 'binary' }), {
      objective: 'binary:logistic',
    });

    expect(metrics.auc).toBeGreaterThan(0.9);
    expect(metrics.accuracy).toBeGreaterThan(0.8);
  });

  it('learns nothing from shuffled labels: held-out AUC within 0.5 ± 0.1 (about 5 standard errors)', async () => {
    const table = withShuffledLabels(syntheticTable({ rows: 3000, seed: 1, task: 'binary' }), 99);

    const { metrics } = await trainAndScore(table, { objective: 'binary:logistic' });

    expect(Math.abs(metrics.auc! - 0.5)).toBeLessThan(0.1);
  });

  it('regresses: held-out RMSE under half that of predicting the training mean', async () => {
    const { metrics, labels, trainLabels } = await trainAndScore(
      syntheticTable({ rows: 3000, seed: 2, task: 'regression' }),
      { objective: 'reg:squarederror', num_round: 60, base_score: 10 },
    );

    const trainMean = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;
    const baseline = Math.sqrt(labels.reduce((sum, y) => sum + (y - trainMean) ** 2, 0) / labels.length);
    expect(metrics.rmse).toBeLessThan(0.5 * baseline);
  });

  it('gives class probabilities for multi:softprob', async () => {
    const classOf = (score: number) => (score < 10 ? 0 : score < 20 ? 1 : 2);
    const table = syntheticTable({ rows: 1500, seed: 4, task: 'regression' });
    const labelled: TrainingTable = {
      columns: table.columns.map((c) => (c.name === 'label' ? { name: 'label', type: 'int' } : c)),
      rows: table.rows.map((row) => [...row.slice(0, -1), classOf(row.at(-1) as number)]),
    };

    const { predictions, metrics } = await trainAndScore(labelled, {
      objective: 'multi:softprob',
      num_class: 3,
    });

    const rowSums = Array.from(
      { length: predictions.length / 3 },
      (_, r) => predictions[3 * r]! + predictions[3 * r + 1]! + predictions[3 * r + 2]!,
    );
    expect(Math.max(...rowSums.map((sum) => Math.abs(sum - 1)))).toBeLessThan(1e-6);
    expect(metrics.accuracy).toBeGreaterThan(0.8);
  });

  it('scores raw rows with the encoding stored in the artifact exactly as from the encoded matrix', async () => {
    const { predictions, fromTable, trained } = await trainAndScore(
      syntheticTable({ rows: 1000, seed: 5, task: 'binary' }),
      { objective: 'binary:logistic' },
    );

    expect(fromTable).toEqual(predictions);
    expect(trained.document.features?.map((f) => f.name)).toEqual([...FEATURES]);
    expect(trained.document.label).toBe('label');
  });

  it('tells NaN (missing) from a real -1, which the WASM build would otherwise confuse', async () => {
    // The label is 1 exactly where x is missing; -1 and other values are 0.
    const xs = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? Number.NaN : i % 3 === 1 ? -1 : i));
    const labels = xs.map((x) => (Number.isNaN(x) ? 1 : 0));
    const hyperparameters = parseHyperparameters({
      objective: 'binary:logistic',
      num_round: 10,
      max_depth: 2,
    });

    const { artifact } = await trainXgboost({ matrix: xs, labels, rows: 300, columns: 1 }, hyperparameters);
    const model = await loadModel(artifact);
    const predictions = model.predict([Number.NaN, -1, 5], 3, 1);
    model.free();

    expect(predictions[0]).toBeGreaterThan(0.9);
    expect(predictions[1]).toBeLessThan(0.1);
    expect(predictions[2]).toBeLessThan(0.1);
  });
});

describe('training: hyperparameters reach the booster', () => {
  // The 2017 XGBoost build ignores names it does not know, so a misspelt mapping would pass silently.
  const table = syntheticTable({ rows: 600, seed: 3, task: 'binary' });
  const base = { objective: 'binary:logistic', num_round: 5, max_depth: 3, subsample: 0.8 } as const;
  const boosterOf = async (input: HyperparametersInput) => {
    const hyperparameters = parseHyperparameters({ ...base, ...input });
    const encoding = fitEncoding(table, {
      label: 'label',
      featureColumns: [...FEATURES],
      objective: 'binary:logistic',
    });
    return (await trainXgboost(encodeTable(encoding, table), hyperparameters)).document.booster.model;
  };

  it.each<[HyperparametersInput, HyperparametersInput]>([
    [{ eta: 0.1 }, {}],
    [{ gamma: 5 }, {}],
    [{ max_depth: 2 }, {}],
    [{ min_child_weight: 20 }, {}],
    [{ max_delta_step: 0.1 }, {}],
    [{ subsample: 0.5 }, {}],
    [{ colsample_bytree: 0.5 }, {}],
    [{ colsample_bylevel: 0.5, tree_method: 'exact' }, { tree_method: 'exact' }],
    [{ lambda: 10 }, {}],
    [{ alpha: 5 }, {}],
    [{ scale_pos_weight: 3 }, {}],
    [{ max_bin: 4 }, {}],
    [{ base_score: 0.3 }, {}],
    [{ seed: 5 }, {}],
    [{ tree_method: 'approx' }, {}],
    [{ num_round: 6 }, {}],
  ])('%j changes the booster', async (change, baseline) => {
    expect(await boosterOf(change)).not.toBe(await boosterOf(baseline));
  });
});

describe('training: reproducible artifacts', () => {
  it('gives byte-identical artifacts for the same request twice in one process, hashed as stored', async () => {
    const first = await trainFixture();
    const second = await trainFixture();

    expect(Buffer.from(second.artifact)).toEqual(Buffer.from(first.artifact));
    expect(first.sha256).toBe(createHash('sha256').update(first.artifact).digest('hex'));
    const document = JSON.parse(new TextDecoder().decode(first.artifact)) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(Object.keys(document).sort());
    expect(document).toMatchObject({
      format: 'mlops-xgboost/1',
      objective: 'binary:logistic',
      hyperparameters: { seed: 42, subsample: 0.7 },
      booster: { format: 'xgboost-binary', library: 'ml-xgboost@1.1.2' },
    });
  });

  it('gives the same SHA-256 in two fresh processes as in this one', PROCESS_TEST_OPTIONS, async () => {
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'test/fixtures/training/train-once.ts'], {
        cwd: new URL('../../../..', import.meta.url).pathname,
      }).then(({ stdout }) => /sha256=([0-9a-f]{64})/.exec(stdout)?.[1]);

    const [a, b] = [await run(), await run()];

    expect(a).toBe((await trainFixture()).sha256);
    expect(b).toBe(a);
  });

  it('gives another artifact for another seed (the seed reaches the sampling)', async () => {
    const table = syntheticTable({ rows: 1000, seed: 6, task: 'binary' });
    const hashOf = async (seed: number) =>
      (await trainAndScore(table, { objective: 'binary:logistic', subsample: 0.5, seed })).trained.sha256;

    expect(await hashOf(1)).not.toBe(await hashOf(2));
  });
});

describe('training: failures', () => {
  it('refuses labels the objective cannot take before they reach WASM', async () => {
    const hyperparameters = parseHyperparameters({ objective: 'binary:logistic' });

    await expect(
      trainXgboost({ matrix: [1, 2], labels: [0, 2], rows: 2, columns: 1 }, hyperparameters),
    ).rejects.toThrow(ValidationError);
  });

  it("explains XGBoost's own failed check and recovers with a fresh WASM instance", async () => {
    const params = { objective: 'binary:logistic', silent: '1' };

    await expect(
      trainBooster({ matrix: [1, 2], labels: [0, 2], rows: 2, columns: 1, params, rounds: 1 }),
    ).rejects.toThrow(/label must be in \[0,1\]/);
    const booster = await trainBooster({
      matrix: [1, 2],
      labels: [0, 1],
      rows: 2,
      columns: 1,
      params,
      rounds: 1,
    });
    expect(booster.length).toBeGreaterThan(0);
  });

  it('refuses an artifact that is not an mlops-xgboost/1 document', async () => {
    await expect(loadModel(new TextEncoder().encode('{"format":"onnx"}'))).rejects.toThrow(ValidationError);
    await expect(loadModel(new Uint8Array([0xff, 0x00]))).rejects.toThrow(/is not JSON/);
  });

  it('refuses to predict with a freed model or with the wrong number of features', async () => {
    const model = await loadModel((await trainFixture()).artifact);

    expect(() => model.predict([1, 2], 1, 2)).toThrow(/takes 5 features, not 2/);
    model.free();
    expect(() => model.predict([1, 2, 3, 4, 5], 1, 5)).toThrow(/freed/);
  });
});
