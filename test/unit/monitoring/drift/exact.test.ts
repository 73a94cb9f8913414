import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareTables } from '../../../../lambdas/monitoring/drift';
import { kolmogorovSf } from '../../../../lambdas/monitoring/drift/stats/kolmogorov';
import { decileEdges } from '../../../../lambdas/monitoring/drift/stats/psi';
import { adjustPValues } from '../../../../lambdas/monitoring/drift/verdict';
import { regularizedGammaQ } from '../../../../lambdas/shared/statistics/gamma';

/** Inputs and scipy's answers, written by scripts/drift-reference-vectors.py (scipy 1.17, numpy 2.4). */
interface Vectors {
  cases: {
    name: string;
    type: 'numeric' | 'categorical';
    reference: (number | string | null)[];
    current: (number | string | null)[];
    expected: Record<string, number | number[]>;
    verdict: string;
  }[];
  kolmogorov: [number, number][];
  gammaincc: [number, number, number][];
  corrections: { pValues: number[]; bonferroni: number[]; benjaminiHochberg: number[] }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../../fixtures/drift/reference-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

/** Within 1e-6 relative of scipy, or 1e-9 absolute near zero (p-values that underflow, D = 0). */
const expectClose = (actual: number | undefined, expected: number, label: string) => {
  expect(actual, label).toBeTypeOf('number');
  const error = Math.abs(actual! - expected);
  expect(
    error <= 1e-9 || error <= 1e-6 * Math.abs(expected),
    `${label}: ${actual} vs scipy ${expected}`,
  ).toBe(true);
};

const STATISTICS = [
  'ksStatistic',
  'ksPValue',
  'wassersteinNormed',
  'psi',
  'chiSquare',
  'chiSquarePValue',
  'jensenShannon',
] as const;

describe('exact drift statistics against scipy', () => {
  it('has the committed vectors to check against', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const vector of vectors.cases) {
    it(`${vector.name}: every statistic and the verdict match`, () => {
      const report = compareTables(
        { x: vector.reference },
        { x: vector.current },
        { columnTypes: { x: vector.type } },
      );

      const column = report.features.x!;
      expect(column.type).toBe(vector.type);
      let checked = 0;
      for (const statistic of STATISTICS) {
        const expected = vector.expected[statistic];
        if (typeof expected !== 'number') continue;
        expectClose(column[statistic], expected, `${vector.name} ${statistic}`);
        checked++;
      }
      expect(checked).toBe(4);
      expect(column.verdict).toBe(vector.verdict);
    });
  }

  it('puts the PSI edges exactly where numpy.quantile does', () => {
    for (const vector of vectors.cases.filter((c) => c.type === 'numeric')) {
      const present = vector.reference.filter((v): v is number => typeof v === 'number');
      const edges = decileEdges(Float64Array.from(present).sort());

      expect(edges, vector.name).toEqual(vector.expected.deciles);
    }
  });

  it('computes Q(λ) as scipy.stats.kstwobign.sf across both series', () => {
    for (const [lambda, sf] of vectors.kolmogorov) expectClose(kolmogorovSf(lambda), sf, `Q(${lambda})`);
  });

  it('computes the regularised upper incomplete gamma as scipy.special.gammaincc', () => {
    for (const [a, x, q] of vectors.gammaincc) expectClose(regularizedGammaQ(a, x), q, `Q(${a}, ${x})`);
  });

  it('adjusts p-values as Bonferroni and scipy.stats.false_discovery_control', () => {
    for (const { pValues, bonferroni, benjaminiHochberg } of vectors.corrections) {
      const [byBonferroni, byBh] = [
        adjustPValues(pValues, 'bonferroni'),
        adjustPValues(pValues, 'benjamini-hochberg'),
      ];
      for (let i = 0; i < pValues.length; i++) {
        expectClose(byBonferroni[i], bonferroni[i]!, 'bonferroni');
        expectClose(byBh[i], benjaminiHochberg[i]!, 'benjamini-hochberg');
      }
    }
  });
});
