// The local pipeline's training core on a flights-shaped table (issue 5: 200k rows validate → register
// in ≤ 30 s), each step timed, beside a floor measured in the same run: one encoding pass over every
// row (reading each cell once into the float32 matrix), which any training must at least do.
// Steps: validate the data, split (seeded 20 %), learn the encoding and encode the training rows,
// train XGBoost (100 rounds, depth 6, tree_method hist unless BENCH_TREE_METHOD says otherwise),
// score the held-out rows and compute the metrics.
// Run: node --import tsx bench/training.ts   (BENCH_ROWS, default 200000; BENCH_TREE_METHOD)
import { encodeTable, fitEncoding } from '../lambdas/pipelines/training/encoding';
import { evaluatePredictions } from '../lambdas/pipelines/training/evaluate';
import { parseHyperparameters } from '../lambdas/pipelines/training/hyperparameters';
import { splitRows } from '../lambdas/pipelines/training/split';
import type { Cell, TrainingTable } from '../lambdas/pipelines/training/table';
import { validateTrainingData } from '../lambdas/pipelines/training/validate-data';
import { loadModel, trainXgboost } from '../lambdas/pipelines/training/xgboost-trainer';
import { seededRandom } from '../test/fixtures/training/synthetic';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const TREE_METHOD = process.env.BENCH_TREE_METHOD ?? 'hist';
const FEATURES = ['month', 'day_of_week', 'hour', 'distance', 'origin', 'destination', 'weekend', 'noise'];
const AIRPORTS = Array.from({ length: 60 }, (_, i) => `A${String(i).padStart(2, '0')}`);

const flightsLike = (rows: number): TrainingTable => {
  const random = seededRandom(2001);
  const out: Cell[][] = [];
  const start = Date.UTC(2001, 0, 1);
  for (let i = 0; i < rows; i++) {
    const time = start + Math.floor((i * 181 * 86_400_000) / rows) + Math.floor(random() * 86_400_000);
    const date = new Date(time);
    const hour = date.getUTCHours();
    const dayOfWeek = date.getUTCDay();
    const origin = AIRPORTS[Math.floor(random() ** 1.5 * AIRPORTS.length)]!;
    const destination = AIRPORTS[Math.floor(random() ** 1.5 * AIRPORTS.length)]!;
    const distance = random() < 0.01 ? null : Math.round(80 + random() * 2500);
    const risk =
      (hour >= 16 ? 0.9 : 0) +
      (origin < 'A10' ? 0.6 : 0) +
      (date.getUTCMonth() === 0 ? 0.4 : 0) +
      (distance ?? 500) / 4000 +
      random() * 1.2;
    out.push([
      date.toISOString(),
      BigInt(date.getUTCMonth() + 1),
      BigInt(dayOfWeek),
      BigInt(hour),
      distance,
      origin,
      destination,
      dayOfWeek === 0 || dayOfWeek === 6,
      random(),
      risk > 1.6,
    ]);
  }
  return {
    columns: [
      { name: 'eventTime', type: 'string' },
      { name: 'month', type: 'int' },
      { name: 'day_of_week', type: 'int' },
      { name: 'hour', type: 'int' },
      { name: 'distance', type: 'float' },
      { name: 'origin', type: 'string' },
      { name: 'destination', type: 'string' },
      { name: 'weekend', type: 'bool' },
      { name: 'noise', type: 'float' },
      { name: 'delayed', type: 'bool' },
    ],
    rows: out,
  };
};

const timed = async <T>(label: string, work: () => T | Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = performance.now();
  const value = await work();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(46)} ${ms.toFixed(0).padStart(7)} ms`);
  return { value, ms };
};

const table = flightsLike(ROWS);
const hyperparameters = parseHyperparameters({
  objective: 'binary:logistic',
  num_round: 100,
  max_depth: 6,
  eta: 0.3,
  tree_method: TREE_METHOD,
  seed: 1,
});
const options = { label: 'delayed', featureColumns: FEATURES, objective: hyperparameters.objective } as const;
console.log(
  `${ROWS.toLocaleString('en-US')} rows × ${FEATURES.length} features, 100 rounds, depth 6, ${TREE_METHOD}`,
);

const floor = await timed('floor: one encoding pass over every row', () =>
  encodeTable(fitEncoding(table, options), table),
);
const report = await timed('validate data', () => validateTrainingData(table, options));
if (!report.value.ok) throw new Error(`the bench data fails validation: ${JSON.stringify(report.value)}`);
const split = await timed('split (validationFraction 0.2)', () =>
  splitRows(table, { validationFraction: 0.2 }, { seed: hyperparameters.seed }),
);
const encoded = await timed(
  `encode ${split.value.train.length.toLocaleString('en-US')} training rows`,
  () => {
    const encoding = fitEncoding(table, options, split.value.train);
    return { encoding, train: encodeTable(encoding, table, split.value.train) };
  },
);
const trained = await timed('train XGBoost', () =>
  trainXgboost(encoded.value.train, hyperparameters, encoded.value.encoding),
);
const scored = await timed(
  `score ${split.value.validation.length.toLocaleString('en-US')} held-out rows + metrics`,
  async () => {
    const model = await loadModel(trained.value.artifact);
    try {
      const validation = encodeTable(encoded.value.encoding, table, split.value.validation);
      const predictions = model.predict(validation.matrix, validation.rows, validation.columns);
      return evaluatePredictions(hyperparameters.objective, validation.labels, predictions).metrics;
    } finally {
      model.free();
    }
  },
);

const total = report.ms + split.ms + encoded.ms + trained.ms + scored.ms;
console.log(`${'total (validate → metrics)'.padEnd(46)} ${total.toFixed(0).padStart(7)} ms`);
console.log(
  `train / floor: ${(trained.ms / floor.ms).toFixed(0)}×   total / floor: ${(total / floor.ms).toFixed(0)}×`,
);
console.log(
  `held-out auc ${scored.value.auc?.toFixed(4)}, accuracy ${scored.value.accuracy?.toFixed(4)}; artifact ${(trained.value.artifact.length / 1024).toFixed(0)} KiB, sha256 ${trained.value.sha256.slice(0, 16)}…`,
);
