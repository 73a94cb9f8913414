import { describe, expect, it } from 'vitest';
import { type Encoding, encodeTable, fitEncoding } from '../../../../lambdas/pipelines/training/encoding';
import type { TrainingTable } from '../../../../lambdas/pipelines/training/table';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { FEATURES, syntheticTable } from '../../../fixtures/training/synthetic';

const TABLE: TrainingTable = {
  columns: [
    { name: 'carrier', type: 'string' },
    { name: 'distance', type: 'float' },
    { name: 'hour', type: 'int' },
    { name: 'weekend', type: 'bool' },
    { name: 'delayed', type: 'bool' },
  ],
  rows: [
    ['b', 1.5, 3n, true, true],
    ['a', null, 4n, false, false],
    ['b', 0.1, null, null, true],
    ['Z', -1, 5n, true, false],
    ['a', 2, 6n, false, true],
    ['new', 3, 7n, true, false],
  ],
};
const OPTIONS = {
  label: 'delayed',
  featureColumns: ['carrier', 'distance', 'hour', 'weekend'],
  objective: 'binary:logistic',
} as const;
const TRAIN_ROWS = [0, 1, 2, 3, 4];

const issueOf = (act: () => unknown) => {
  try {
    act();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues[0];
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('training: encoding', () => {
  it('orders string categories by descending training frequency, ties in code-point order, not locale order', () => {
    const carriers = ['b', 'a', 'b', 'Z', 'b', 'unseen'];
    const table: TrainingTable = {
      columns: [
        { name: 'carrier', type: 'string' },
        { name: 'delayed', type: 'bool' },
      ],
      rows: carriers.map((carrier) => [carrier, true]),
    };

    const encoding = fitEncoding(table, { ...OPTIONS, featureColumns: ['carrier'] }, [0, 1, 2, 3, 4]);

    expect(encoding.features).toEqual([
      { name: 'carrier', type: 'string', encoding: { kind: 'ordinal', categories: ['b', 'Z', 'a'] } },
    ]);
  });

  it('encodes numbers as they are, booleans as 0/1, categories as codes and nulls or unseen ones as NaN', () => {
    const encoding = fitEncoding(TABLE, OPTIONS, TRAIN_ROWS);

    const encoded = encodeTable(encoding, TABLE);

    // biome-ignore format: one row per line
    expect(Array.from(encoded.matrix)).toEqual([
      1, Math.fround(1.5), 3, 1,
      0, Number.NaN, 4, 0,
      1, Math.fround(0.1), Number.NaN, Number.NaN,
      2, -1, 5, 1,
      0, 2, 6, 0,
      Number.NaN, 3, 7, 1,
    ]);
    expect({ rows: encoded.rows, columns: encoded.columns }).toEqual({ rows: 6, columns: 4 });
    expect(Array.from(encoded.labels)).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('encodes a subset of rows in the order given', () => {
    const encoding = fitEncoding(TABLE, OPTIONS, TRAIN_ROWS);

    const encoded = encodeTable(encoding, TABLE, [4, 0]);

    expect(Array.from(encoded.matrix)).toEqual([0, 2, 6, 0, 1, 1.5, 3, 1]);
    expect(Array.from(encoded.labels)).toEqual([1, 1]);
  });

  it('gives the same matrix from an encoding stored as JSON and read back, with columns in another order', () => {
    const table = syntheticTable({ rows: 400, seed: 3, task: 'binary' });
    const encoding = fitEncoding(table, {
      label: 'label',
      featureColumns: [...FEATURES],
      objective: 'binary:logistic',
    });
    const stored = JSON.parse(JSON.stringify(encoding)) as Encoding;
    const order = [6, 3, 0, 5, 1, 4, 2];
    const reordered: TrainingTable = {
      columns: order.map((i) => table.columns[i]!),
      rows: table.rows.map((row) => order.map((i) => row[i]!)),
    };

    const original = encodeTable(encoding, table);
    const restored = encodeTable(stored, reordered);

    expect(Buffer.from(restored.matrix.buffer)).toEqual(Buffer.from(original.matrix.buffer));
    expect(restored.labels).toEqual(original.labels);
  });

  it('refuses a cell of the wrong type, naming the feature and the row', () => {
    const encoding = fitEncoding(TABLE, OPTIONS, TRAIN_ROWS);
    const bad: TrainingTable = { ...TABLE, rows: [['b', 'far', 3n, true, true]] };

    expect(issueOf(() => encodeTable(encoding, bad))).toEqual({
      field: 'features.distance',
      rule: 'invalid_type',
      message: 'row 0 of distance holds "far", not a number',
    });
  });

  it('refuses a label the objective cannot take', () => {
    const encoding = fitEncoding(TABLE, OPTIONS, TRAIN_ROWS);
    const bad: TrainingTable = { ...TABLE, rows: [['b', 1, 3n, true, null]] };

    expect(issueOf(() => encodeTable(encoding, bad))).toMatchObject({
      field: 'label',
      rule: 'invalid_label',
    });
  });

  it('refuses a feature the table lacks', () => {
    expect(
      issueOf(() => fitEncoding(TABLE, { ...OPTIONS, featureColumns: ['carrier', 'gate'] })),
    ).toMatchObject({
      field: 'features',
      message: 'the training set has no column "gate"',
    });
  });
});
