import { describe, expect, it } from 'vitest';
import { SplitSpec, splitRows } from '../../../../lambdas/pipelines/training/split';
import type { TrainingTable } from '../../../../lambdas/pipelines/training/table';
import { ValidationError } from '../../../../lambdas/shared/errors';

const numbered = (rows: number): TrainingTable => ({
  columns: [{ name: 'x', type: 'int' }],
  rows: Array.from({ length: rows }, (_, i) => [i]),
});

const timed = (times: readonly (string | number | null)[]): TrainingTable => ({
  columns: [
    { name: 'eventTime', type: 'string' },
    { name: 'x', type: 'float' },
  ],
  rows: times.map((time, i) => [time, i]),
});

const fieldOf = (act: () => unknown): string | undefined => {
  try {
    act();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues[0]?.field;
    throw error;
  }
  return undefined;
};

describe('training: split by fraction', () => {
  it('holds out exactly round(n × fraction) rows, the same ones on every call, both sides ascending', () => {
    const table = numbered(1001);

    const first = splitRows(table, { validationFraction: 0.2 }, { seed: 7 });
    const second = splitRows(table, { validationFraction: 0.2 }, { seed: 7 });

    expect(first).toEqual(second);
    expect(first.validation).toHaveLength(200);
    expect([...first.train, ...first.validation].sort((a, b) => a - b)).toEqual(table.rows.map((_, i) => i));
    expect(first.validation).toEqual([...first.validation].sort((a, b) => a - b));
  });

  it('draws the same rows on every machine: a pinned split of 20 rows for seeds 42 and 43', () => {
    // 32-bit integer hashing only, so these indexes may never change without changing every split.
    const table = numbered(20);

    expect(splitRows(table, { validationFraction: 0.25 }, { seed: 42 }).validation).toEqual([
      3, 11, 13, 14, 15,
    ]);
    expect(splitRows(table, { validationFraction: 0.25 }, { seed: 43 }).validation).toEqual([
      2, 7, 11, 16, 19,
    ]);
  });

  it('spreads the held-out rows over the table rather than taking a block', () => {
    const { validation } = splitRows(numbered(10_000), { validationFraction: 0.2 }, { seed: 1 });

    const inFirstHalf = validation.filter((i) => i < 5_000).length / validation.length;
    // Binomial(2000, 0.5): 3 standard deviations are 0.034.
    expect(Math.abs(inFirstHalf - 0.5)).toBeLessThan(0.034);
  });

  it('draws different rows for different seeds', () => {
    const a = new Set(splitRows(numbered(1_000), { validationFraction: 0.5 }, { seed: 1 }).validation);
    const b = splitRows(numbered(1_000), { validationFraction: 0.5 }, { seed: 2 }).validation;

    const shared = b.filter((i) => a.has(i)).length / b.length;
    // Independent halves share about half their rows (sd 0.022).
    expect(Math.abs(shared - 0.5)).toBeLessThan(0.08);
  });

  it('refuses a fraction that leaves the validation side empty', () => {
    expect(fieldOf(() => splitRows(numbered(10), { validationFraction: 0.01 }, { seed: 0 }))).toBe(
      'split.validationFraction',
    );
  });
});

describe('training: split by cutoff', () => {
  it('holds out rows at or after the cutoff, whatever zone their times are written in', () => {
    const table = timed([
      '2001-02-28T23:59:59Z',
      '2001-03-01T00:00:00Z',
      '2001-03-01T01:30:00+02:00',
      '2001-03-01T00:00:00.001Z',
      Date.UTC(2001, 1, 1),
    ]);

    const split = splitRows(table, { cutoff: '2001-03-01T00:00:00Z' }, { seed: 0 });

    expect(split).toEqual({ train: [0, 2, 4], validation: [1, 3] });
  });

  it('reads the time from another column when told', () => {
    const table: TrainingTable = {
      columns: [{ name: 'scheduled', type: 'string' }],
      rows: [['2001-01-01T00:00:00Z'], ['2001-06-01T00:00:00Z']],
    };

    const split = splitRows(table, { cutoff: '2001-03-01T00:00:00Z' }, { seed: 0, timeColumn: 'scheduled' });

    expect(split).toEqual({ train: [0], validation: [1] });
  });

  it.each([
    ['after every row', timed(['2001-01-01T00:00:00Z']), '2002-01-01T00:00:00Z'],
    ['before every row', timed(['2001-01-01T00:00:00Z']), '2000-01-01T00:00:00Z'],
    [
      'over a time without a zone',
      timed(['2001-01-01T00:00:00', '2001-06-01T00:00:00Z']),
      '2001-03-01T00:00:00Z',
    ],
    ['over a missing time', timed([null, '2001-06-01T00:00:00Z']), '2001-03-01T00:00:00Z'],
  ])('is refused %s, naming split.cutoff', (_case, table, cutoff) => {
    expect(fieldOf(() => splitRows(table, { cutoff }, { seed: 0 }))).toBe('split.cutoff');
  });
});

describe('training: split spec', () => {
  it.each([[{}], [{ validationFraction: 0.2, cutoff: '2001-03-01T00:00:00Z' }], [{ validationFraction: 1 }]])(
    'refuses %j',
    (input) => {
      expect(SplitSpec.safeParse(input).success).toBe(false);
    },
  );

  it('accepts either member alone', () => {
    expect(SplitSpec.parse({ validationFraction: 0.2 })).toEqual({ validationFraction: 0.2 });
    expect(SplitSpec.parse({ cutoff: '2001-03-01T00:00:00+01:00' })).toEqual({
      cutoff: '2001-03-01T00:00:00+01:00',
    });
  });
});
