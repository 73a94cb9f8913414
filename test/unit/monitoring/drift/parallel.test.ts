import { describe, expect, it } from 'vitest';
import { compareToBaseline, profileTable, summarizeShard } from '../../../../lambdas/monitoring/drift';
import { SummaryWorkers, summarizeInWorkers } from '../../../../lambdas/monitoring/drift/parallel';
import { distributions, sample } from '../../../fixtures/drift/samples';

const d = distributions(5);
const ROWS = 120_000;

/** A numeric column in shared memory (workers read it in place), one plain array, one categorical. */
const currentTable = () => {
  const shared = new Float64Array(new SharedArrayBuffer(ROWS * 8));
  shared.set(sample(ROWS, d.normal(0.1)));
  return {
    shared,
    plain: sample(ROWS, d.missing(0.1, d.logNormal(1))),
    kind: sample(ROWS, d.categories({ a: 2, b: 1, c: 1 })),
  };
};

describe('summarising in worker threads', () => {
  const baseline = profileTable({
    shared: sample(50_000, d.normal()),
    plain: sample(50_000, d.logNormal(1)),
    kind: sample(50_000, d.categories({ a: 1, b: 1 })),
  });

  it('gives the summary one thread would, split over two workers and merged', {
    timeout: 60_000,
  }, async () => {
    const table = currentTable();

    const parallel = await summarizeInWorkers(baseline, table, 2);
    const single = summarizeShard(baseline, table);

    expect(parallel.rows).toBe(ROWS);
    for (const name of ['shared', 'plain'] as const) {
      const [p, s] = [parallel.columns[name], single.columns[name]] as {
        between: number[];
        equal: number[];
        missing: number;
      }[];
      expect(p!.between).toEqual(s!.between);
      expect(p!.equal).toEqual(s!.equal);
      expect(p!.missing).toBe(s!.missing);
    }
    expect(parallel.columns.kind).toEqual(single.columns.kind);
    const [fromWorkers, fromOneThread] = [
      compareToBaseline(baseline, parallel),
      compareToBaseline(baseline, single),
    ];
    expect(fromWorkers.features.shared!.ksStatistic).toBe(fromOneThread.features.shared!.ksStatistic);
    expect(fromWorkers.features.plain!.wassersteinNormed).toBeCloseTo(
      fromOneThread.features.plain!.wassersteinNormed!,
      12,
    );
  });

  it('refuses a ragged table and stays usable for the next one', {
    timeout: 60_000,
  }, async () => {
    const pool = new SummaryWorkers(baseline, 2);
    try {
      const ragged = { shared: new Float64Array(ROWS), plain: new Array(ROWS + 1).fill(1) };
      await expect(pool.summarize(ragged)).rejects.toThrow(/has 120001 values/);
      await expect(pool.summarize(currentTable())).resolves.toMatchObject({ rows: ROWS });
    } finally {
      await pool.close();
    }
  });
});
