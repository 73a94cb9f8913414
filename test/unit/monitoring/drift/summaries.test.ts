import { describe, expect, it } from 'vitest';
import {
  type Cell,
  type ColumnDrift,
  type CurrentSummary,
  compareTables,
  compareToBaseline,
  mergeSummaries,
  profileTable,
  summarizeShard,
} from '../../../../lambdas/monitoring/drift';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { distributions, sample } from '../../../fixtures/drift/samples';

const d = distributions(7);

/** Numeric columns whose summaries must stay within their stated bounds of the exact statistics. */
const CASES: { name: string; reference: () => Cell; current: () => Cell }[] = [
  { name: 'normal, shifted', reference: d.normal(), current: d.normal(0.15) },
  { name: 'normal, scaled', reference: d.normal(5, 2), current: d.normal(5, 2.4) },
  { name: 'Cauchy (heavy tails)', reference: d.cauchy(), current: d.cauchy(1.3) },
  { name: 'Poisson (ties)', reference: d.poisson(4), current: d.poisson(4.4) },
  { name: 'log-normal', reference: d.logNormal(1), current: d.logNormal(1.15) },
  { name: 'bimodal vs wider', reference: d.mixture(2), current: d.normal(0, 2.3) },
  {
    name: 'with missing values',
    reference: d.missing(0.1, d.normal()),
    current: d.missing(0.25, d.normal(0.1)),
  },
];

const splitRows = (values: readonly Cell[], shards: number): Cell[][] =>
  Array.from({ length: shards }, (_, s) =>
    values.slice(Math.floor((s * values.length) / shards), Math.floor(((s + 1) * values.length) / shards)),
  );

/** Summaries of three shards, merged: the path a scheduled job takes. */
const summarizeInShards = (
  baseline: ReturnType<typeof profileTable>,
  values: readonly Cell[],
  column = 'x',
): CurrentSummary =>
  splitRows(values, 3)
    .map((shard) => summarizeShard(baseline, { [column]: shard }))
    .reduce(mergeSummaries);

const expectWithinBound = (
  approx: ColumnDrift,
  exact: ColumnDrift,
  statistic: 'ksStatistic' | 'wassersteinNormed',
) => {
  const bound = approx.errorBounds?.[statistic] ?? 0;
  const error = Math.abs(approx[statistic]! - exact[statistic]!);
  expect(
    error,
    `${statistic}: |${approx[statistic]} − ${exact[statistic]}| within ${bound}`,
  ).toBeLessThanOrEqual(bound + 1e-12);
};

describe('baseline profiles and mergeable summaries', () => {
  for (const grid of [2048, 64]) {
    for (const { name, reference, current } of CASES) {
      it(`${name}, ${grid}-rank grid: KS and W1/std stay within their bounds, PSI is exact`, () => {
        const ref = sample(20_000, reference);
        const cur = sample(15_000, current);
        const baseline = profileTable({ x: ref }, { quantileEdges: grid });

        const approx = compareToBaseline(baseline, summarizeInShards(baseline, cur)).features.x!;
        const exact = compareTables({ x: ref }, { x: cur }).features.x!;

        expectWithinBound(approx, exact, 'ksStatistic');
        expectWithinBound(approx, exact, 'wassersteinNormed');
        expect(approx.psi).toBeCloseTo(exact.psi!, 12);
        expect(approx.errorBounds?.psi).toBeUndefined();
        expect(approx.missingRate).toEqual(exact.missingRate);
        expect(approx.outOfRangeRate).toBe(exact.outOfRangeRate);
        // The bounds are worth having: a few thousandths at the default grid, and they shrink with it.
        expect(approx.errorBounds?.ksStatistic ?? 0).toBeLessThan(grid === 2048 ? 0.002 : 0.05);
        expect(approx.errorBounds?.wassersteinNormed ?? 0).toBeLessThan(grid === 2048 ? 0.01 : 0.2);
      });
    }
  }

  it('is approximate on a coarse grid (the bounds are not vacuous)', () => {
    const ref = sample(20_000, d.normal());
    const cur = sample(20_000, d.normal(0.2));
    const baseline = profileTable({ x: ref }, { quantileEdges: 16 });

    const approx = compareToBaseline(baseline, summarizeShard(baseline, { x: cur })).features.x!;
    const exact = compareTables({ x: ref }, { x: cur }).features.x!;

    expect(approx.errorBounds?.ksStatistic).toBeGreaterThan(0);
    expect(approx.errorBounds?.wassersteinNormed).toBeGreaterThan(0);
    expect(approx.wassersteinNormed).not.toBe(exact.wassersteinNormed);
    expectWithinBound(approx, exact, 'ksStatistic');
    expectWithinBound(approx, exact, 'wassersteinNormed');
  });

  it('gives the exact KS statistic and p-value when the reference fits in the grid', () => {
    const ref = sample(900, d.poisson(3));
    const cur = sample(700, d.normal(3, 2));
    const baseline = profileTable({ x: ref });

    const approx = compareToBaseline(baseline, summarizeShard(baseline, { x: cur })).features.x!;
    const exact = compareTables({ x: ref }, { x: cur }).features.x!;

    expect(approx.errorBounds?.ksStatistic).toBeUndefined();
    expect(approx.ksStatistic).toBe(exact.ksStatistic);
    expect(approx.ksPValue).toBe(exact.ksPValue);
    expect(approx.verdict).toBe(exact.verdict);
    expect(approx.method).toBe('ks');
  });

  it('matches the exact categorical statistics, unseen and vanished categories included', () => {
    const ref = sample(5_000, d.categories({ a: 5, b: 3, c: 2, gone: 1 }));
    const cur = sample(4_000, d.categories({ a: 4, b: 3, c: 3, new: 1, newer: 0.5 }));
    const baseline = profileTable({ c: ref });

    const approx = compareToBaseline(baseline, summarizeInShards(baseline, cur, 'c')).features.c!;
    const exact = compareTables({ c: ref }, { c: cur }).features.c!;

    for (const statistic of ['chiSquare', 'chiSquarePValue', 'jensenShannon', 'psi'] as const)
      expect(approx[statistic], statistic).toBeCloseTo(exact[statistic]!, 12);
    expect(approx.unseenCategoryRate).toBe(exact.unseenCategoryRate);
    expect(approx.unseenCategoryRate).toBeGreaterThan(0);
  });

  it('pools categories beyond the cap into one bucket on each side', () => {
    const ref = sample(3_000, d.categories({ a: 5, b: 3, c: 2, d: 1 }));
    const cur = sample(3_000, d.categories({ a: 5, b: 3, c: 1, e: 2 }));
    const baseline = profileTable({ c: ref }, { categoryCap: 2 });

    const column = compareToBaseline(baseline, summarizeShard(baseline, { c: cur })).features.c!;

    expect(baseline.columns.c).toMatchObject({ categories: ['a', 'b'] });
    expect(column.jensenShannon).toBeGreaterThanOrEqual(0);
    expect(column.unseenCategoryRate).toBeUndefined();
  });

  it('round-trips through JSON and merges in any order to the same report', () => {
    const ref = { x: sample(10_000, d.normal()), c: sample(10_000, d.categories({ p: 1, q: 2 })) };
    const cur = { x: sample(9_000, d.normal(0.3)), c: sample(9_000, d.categories({ p: 1, q: 1, r: 1 })) };
    const baseline = profileTable(ref);
    const shards = [0, 1, 2].map((s) =>
      summarizeShard(baseline, {
        x: cur.x.slice(s * 3000, (s + 1) * 3000),
        c: cur.c.slice(s * 3000, (s + 1) * 3000),
      }),
    );

    const viaJson = compareToBaseline(
      JSON.parse(JSON.stringify(baseline)),
      JSON.parse(JSON.stringify(shards.reduce(mergeSummaries))),
    );
    const reversed = compareToBaseline(baseline, [...shards].reverse().reduce(mergeSummaries));
    const whole = summarizeShard(baseline, cur);

    expect(viaJson).toEqual(compareToBaseline(baseline, shards.reduce(mergeSummaries)));
    expect(reversed.features.x!.ksStatistic).toBe(viaJson.features.x!.ksStatistic);
    expect(reversed.features.x!.wassersteinNormed).toBeCloseTo(viaJson.features.x!.wassersteinNormed!, 12);
    expect(whole.columns.x).toMatchObject({
      between: (shards.reduce(mergeSummaries).columns.x as { between: number[] }).between,
    });
    expect(whole.rows).toBe(9_000);
  });

  it('counts type violations, missing values and unknown columns of the current data', () => {
    const baseline = profileTable({ x: sample(1_000, d.normal()) });

    const summary = summarizeShard(baseline, {
      x: [1, 'oops', null, '', Number.NaN, '2.5', Number.POSITIVE_INFINITY],
      extra: [1, 2, 3, 4, 5, 6, 7],
    });
    const column = compareToBaseline(baseline, summary, { minCurrentRows: 1 }).features.x!;

    expect(summary.columns.x).toMatchObject({ missing: 3, violations: 2, min: 1, max: 2.5 });
    expect(summary.unknownColumns).toEqual(['extra']);
    expect(column.typeViolations).toBe(2);
    expect(column.missingRate.current).toBeCloseTo(3 / 7, 12);
  });

  it('refuses to merge or compare summaries binned against another baseline', () => {
    const one = profileTable({ x: sample(100, d.normal()) });
    const two = profileTable({ x: sample(100, d.normal()) });
    const summary = summarizeShard(one, { x: [1, 2, 3] });

    expect(() => mergeSummaries(summary, summarizeShard(two, { x: [1] }))).toThrow(ValidationError);
    expect(() => compareToBaseline(two, summary)).toThrow(ValidationError);
  });
});
