import { describe, expect, it } from 'vitest';
import { compareTables } from '../../../../lambdas/monitoring/drift';
import { judge, type MeasuredColumn } from '../../../../lambdas/monitoring/drift/verdict';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { distributions, sample } from '../../../fixtures/drift/samples';

const d = distributions(11);

/** A numeric column measured with the given KS p-value and W1/std, 500 values on each side. */
const measured = (name: string, ksPValue: number, wassersteinNormed = 0): MeasuredColumn => ({
  name,
  stats: {
    type: 'numeric',
    ksStatistic: 0.1,
    ksPValue,
    wassersteinNormed,
    referenceRows: 500,
    currentRows: 500,
    missingRate: { reference: 0, current: 0 },
  },
  referenceValues: 500,
  currentValues: 500,
});

describe('column types and missing values', () => {
  it('infers numeric from numbers and numeric text, categorical from anything else, and honours overrides', () => {
    const reference = {
      n: [1, '2.5', ' 3e2 ', null],
      t: ['1', 'x', '3', '4'],
      h: ['0x10', '1', '2', '3'],
      o: [1, 2, 3, 4],
    };

    const report = compareTables(reference, reference, {
      columnTypes: { o: 'categorical' },
      minCurrentRows: 1,
    });

    expect(report.features.n!.type).toBe('numeric');
    expect(report.features.t!.type).toBe('categorical');
    expect(report.features.h!.type).toBe('categorical');
    expect(report.features.o!.type).toBe('categorical');
  });

  it('leaves null, undefined, blank text, NaN and "nan" out of the statistics and reports them as a missing rate', () => {
    const reference = { x: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
    const current = { x: [1, 2, 3, 4, 5, null, undefined, '', Number.NaN, 'NaN'] };

    const column = compareTables(reference, current, { minCurrentRows: 1 }).features.x!;
    const withoutMissing = compareTables(reference, { x: [1, 2, 3, 4, 5] }, { minCurrentRows: 1 }).features
      .x!;

    expect(column.missingRate).toEqual({ reference: 0, current: 0.5 });
    expect(column.ksStatistic).toBe(withoutMissing.ksStatistic);
    expect(column.wassersteinNormed).toBe(withoutMissing.wassersteinNormed);
  });

  it('counts text in a numeric column as type violations, not values', () => {
    const column = compareTables({ x: [1, 2, 3] }, { x: [1, 'two', 3] }, { minCurrentRows: 1 }).features.x!;

    expect(column.type).toBe('numeric');
    expect(column.typeViolations).toBe(1);
  });

  it('judges a column only one table has as insufficient data', () => {
    const report = compareTables(
      { a: [1, 2, 3], gone: [1, 2, 3] },
      { a: [1, 2, 3], added: ['x', 'y', 'z'] },
      { minCurrentRows: 1 },
    );

    expect(report.features.gone).toMatchObject({
      verdict: 'insufficient_data',
      drift: false,
      missingRate: { current: 1 },
    });
    expect(report.features.added).toMatchObject({
      verdict: 'insufficient_data',
      missingRate: { reference: 1 },
    });
    expect(report.dataset.share).toBe(0);
  });

  it('refuses a table whose columns differ in length', () => {
    expect(() => compareTables({ a: [1, 2], b: [1] }, { a: [1] })).toThrow(ValidationError);
  });
});

describe('verdicts', () => {
  it('uses p-value tests for a small reference and distances for a large one', () => {
    const small = compareTables(
      { x: sample(1000, d.normal()), c: sample(1000, d.categories({ a: 1, b: 1 })) },
      { x: sample(500, d.normal()), c: sample(500, d.categories({ a: 1, b: 1 })) },
    );
    const large = compareTables(
      { x: sample(1001, d.normal()), c: sample(1001, d.categories({ a: 1, b: 1 })) },
      { x: sample(500, d.normal()), c: sample(500, d.categories({ a: 1, b: 1 })) },
    );

    expect([small.features.x!.method, small.features.c!.method]).toEqual(['ks', 'chisquare']);
    expect([large.features.x!.method, large.features.c!.method]).toEqual(['wasserstein', 'jensenshannon']);
  });

  it('does not turn a negligible shift into drift as the samples grow', () => {
    const reference = { x: sample(100_000, d.normal()) };

    const verdicts = [2_000, 100_000].map(
      (size) => compareTables(reference, { x: sample(size, d.normal(0.02)) }).features.x!,
    );

    expect(verdicts.map((v) => v.verdict)).toEqual(['no_drift', 'no_drift']);
    expect(verdicts[1]!.ksPValue).toBeLessThan(0.05);
  });

  it('says insufficient data, never drift, below the minimum current sample', () => {
    const column = compareTables({ x: sample(200, d.normal()) }, { x: sample(29, d.normal(5)) }).features.x!;

    expect(column).toMatchObject({ verdict: 'insufficient_data', drift: false });
    expect(column.ksPValue).toBeLessThan(1e-6);
  });

  it('divides W1 by 0.001 when the reference is constant, so a moved current drifts', () => {
    const column = compareTables({ x: new Array(2000).fill(1) }, { x: new Array(100).fill(1.01) }).features
      .x!;

    expect(column.wassersteinNormed).toBeCloseTo(10, 9);
    expect(column.verdict).toBe('drift');
  });

  it('applies per-column thresholds over the defaults', () => {
    const report = judge([measured('a', 0.5, 0.15), measured('b', 0.5, 0.15)], 5000, {
      perColumn: { b: { wassersteinThreshold: 0.2 } },
    });

    expect(report.features.a!.drift).toBe(true);
    expect(report.features.b!.drift).toBe(false);
  });

  it('corrects p-values for the number of columns tested when asked', () => {
    const columns = [measured('a', 0.03), measured('b', 0.03), measured('c', 0.5)];

    const plain = judge(columns, 500);
    const bonferroni = judge(columns, 500, { correction: 'bonferroni' });
    const bh = judge(columns, 500, { correction: 'benjamini-hochberg' });

    expect(plain.dataset.driftedColumns).toEqual(['a', 'b']);
    expect(bonferroni.dataset.driftedColumns).toEqual([]);
    expect(bonferroni.features.a!.adjustedPValue).toBeCloseTo(0.09, 12);
    // Benjamini–Hochberg controls the false discovery rate instead, and keeps both.
    expect(bh.dataset.driftedColumns).toEqual(['a', 'b']);
    expect(bh.features.a!.adjustedPValue).toBeCloseTo(0.045, 12);
    expect(plain.features.a!.adjustedPValue).toBeUndefined();
  });

  it('flags the dataset when at least the configured share of judged columns drift', () => {
    const columns = [
      measured('a', 0.5, 0.2),
      measured('b', 0.5, 0.2),
      measured('c', 0.5),
      measured('d', 0.5),
    ];

    const half = judge(columns, 5000);
    const stricter = judge(columns, 5000, { datasetDriftShare: 0.75 });

    expect(half.dataset).toEqual({ drift: true, share: 0.5, driftedColumns: ['a', 'b'] });
    expect(stricter.dataset.drift).toBe(false);
  });

  it('refuses thresholds outside their range', () => {
    expect(() => judge([], 10, { pValueThreshold: 2 })).toThrow(ValidationError);
    expect(() => judge([], 10, { correction: 'holm' as never })).toThrow(ValidationError);
  });
});
