import { describe, expect, it } from 'vitest';
import type { Cell, TrainingTable } from '../../../../lambdas/pipelines/training/table';
import { type DataRules, validateTrainingData } from '../../../../lambdas/pipelines/training/validate-data';
import { syntheticTable } from '../../../fixtures/training/synthetic';

const BINARY: DataRules = {
  label: 'label',
  featureColumns: ['distance', 'hour', 'origin', 'weekend', 'noise'],
  objective: 'binary:logistic',
};

/** Two columns, x (float) and y (the label), one row per pair. */
const table = (rows: readonly (readonly [Cell, Cell])[]): TrainingTable => ({
  columns: [
    { name: 'x', type: 'float' },
    { name: 'y', type: 'int' },
  ],
  rows: rows.map((row) => [...row]),
});
const alternating = (n: number, x: (i: number) => Cell = (i) => i) =>
  table(Array.from({ length: n }, (_, i) => [x(i), i % 2] as const));
const RULES: DataRules = { label: 'y', featureColumns: ['x'], objective: 'binary:logistic' };

const check = (report: ReturnType<typeof validateTrainingData>, name: string, column?: string) =>
  report.checks.find((c) => c.name === name && (column === undefined || c.column === column));

describe('training: data validation', () => {
  it('passes a clean training set, with a check for each rule and feature', () => {
    const report = validateTrainingData(syntheticTable({ rows: 500, seed: 1, task: 'binary' }), BINARY);

    expect(report.ok).toBe(true);
    expect(report.rows).toBe(500);
    expect(report.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(report.checks.filter((c) => c.name === 'null_rate').map((c) => c.column)).toEqual(
      BINARY.featureColumns,
    );
    expect(check(report, 'class_balance')?.detail).toMatch(
      /the rarest class, [01], is \d+(\.\d+)? % of the labelled rows/,
    );
  });

  it('fails too few rows against the configured minimum', () => {
    const report = validateTrainingData(alternating(40), RULES);

    expect(report.ok).toBe(false);
    expect(check(report, 'min_rows')).toEqual({
      name: 'min_rows',
      status: 'fail',
      detail: '40 rows; at least 50 are needed',
    });
    expect(validateTrainingData(alternating(40), { ...RULES, minRows: 40 }).ok).toBe(true);
  });

  it('fails a missing label column and skips the label rules', () => {
    const report = validateTrainingData(alternating(60), { ...RULES, label: 'delayed' });

    expect(check(report, 'label_present')?.status).toBe('fail');
    expect(check(report, 'label_nulls')).toBeUndefined();
    expect(report.ok).toBe(false);
  });

  it('fails null labels, counting them', () => {
    const rows = alternating(60).rows.map((row, i) => (i < 3 ? [row[0]!, null] : row));
    const report = validateTrainingData({ ...alternating(60), rows }, RULES);

    expect(check(report, 'label_nulls')).toMatchObject({ status: 'fail', detail: '3 rows have no label' });
  });

  it('fails a constant label', () => {
    const report = validateTrainingData(table(Array.from({ length: 60 }, (_, i) => [i, 1] as const)), RULES);

    expect(check(report, 'label_not_constant')?.status).toBe('fail');
  });

  it('fails labels the objective cannot take, showing the first', () => {
    const rows = alternating(60).rows.map((row, i) => (i === 5 ? [row[0]!, 2] : row));
    const report = validateTrainingData({ ...alternating(60), rows }, RULES);

    expect(check(report, 'label_values')).toMatchObject({
      status: 'fail',
      detail: '1 label is not a boolean, 0 or 1; the first, row 5, is 2',
    });
    expect(
      validateTrainingData({ ...alternating(60), rows }, { ...RULES, objective: 'reg:squarederror' }).ok,
    ).toBe(true);
  });

  it('warns, without failing, when the rarest class is under 5 %', () => {
    const rare = table(Array.from({ length: 100 }, (_, i) => [i, i < 3 ? 1 : 0] as const));

    const report = validateTrainingData(rare, RULES);

    expect(report.ok).toBe(true);
    expect(check(report, 'class_balance')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('3 %'),
    });
    expect(
      check(validateTrainingData(rare, { ...RULES, minorityClassWarning: 0.02 }), 'class_balance')?.status,
    ).toBe('pass');
  });

  it('has no class balance check for regression', () => {
    expect(
      check(
        validateTrainingData(alternating(60), { ...RULES, objective: 'reg:squarederror' }),
        'class_balance',
      ),
    ).toBe(undefined);
  });

  it('fails a feature whose null rate is above the maximum, and passes it at the maximum', () => {
    const halfNull = alternating(60, (i) => (i < 30 ? null : i));
    const mostlyNull = alternating(60, (i) => (i < 31 ? null : i));

    expect(check(validateTrainingData(halfNull, RULES), 'null_rate', 'x')?.status).toBe('pass');
    expect(check(validateTrainingData(mostlyNull, RULES), 'null_rate', 'x')).toMatchObject({
      status: 'fail',
      detail: '31 of 60 rows are null (51.7 %); at most 50 % may be',
    });
  });

  it('checks ranges when given, and fails non-finite numbers', () => {
    const data = alternating(60, (i) => (i === 7 ? -3 : i === 8 ? Number.POSITIVE_INFINITY : i));

    const report = validateTrainingData(data, { ...RULES, ranges: { x: { min: 0, max: 100 } } });

    expect(check(report, 'range', 'x')).toMatchObject({
      status: 'fail',
      detail: '2 values are outside [0, 100], the first -3',
    });
    expect(check(report, 'finite_values', 'x')?.status).toBe('fail');
  });

  it('fails the label used as a feature and a feature that is not there; warns about a constant one', () => {
    const constant = alternating(60, () => 4);

    const report = validateTrainingData(constant, { ...RULES, featureColumns: ['x', 'y', 'z'] });

    expect(
      report.checks.filter((c) => c.name === 'feature_present').map((c) => [c.column, c.status]),
    ).toEqual([
      ['y', 'fail'],
      ['z', 'fail'],
    ]);
    expect(check(report, 'feature_not_constant', 'x')?.status).toBe('warn');
  });
});
