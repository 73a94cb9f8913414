import { describe, expect, it } from 'vitest';
import { HyperLogLog, murmur3, standardError } from '../../../../lambdas/features/ingest/hyperloglog';
import { mergeSummaries, QualityBuilder, viewOfSummary } from '../../../../lambdas/features/ingest/quality';

describe('features: HyperLogLog', () => {
  it.each([100, 1_000, 10_000, 100_000, 1_000_000])(
    'estimates %i distinct values within 3 standard errors (p=10)',
    (n) => {
      const sketch = new HyperLogLog(10);

      for (let i = 0; i < n; i++) sketch.add(`user-${i}`);

      const relative = Math.abs(sketch.estimate() - n) / n;
      expect(relative).toBeLessThan(3 * standardError(10));
    },
  );

  it('stays within 3 standard errors on average over many seeds at p=8', () => {
    const errors: number[] = [];
    for (let seed = 0; seed < 50; seed++) {
      const sketch = new HyperLogLog(8);
      for (let i = 0; i < 20_000; i++) sketch.addHash(murmur3(`${seed}:${i}`));
      errors.push((sketch.estimate() - 20_000) / 20_000);
    }

    const rms = Math.sqrt(errors.reduce((sum, e) => sum + e * e, 0) / errors.length);
    expect(rms).toBeLessThan(1.5 * standardError(8));
    expect(Math.max(...errors.map(Math.abs))).toBeLessThan(4 * standardError(8));
  });

  it('ignores repeats, and a merge estimates the union', () => {
    const a = new HyperLogLog(10);
    const b = new HyperLogLog(10);
    for (let round = 0; round < 3; round++) for (let i = 0; i < 5_000; i++) a.add(`v${i}`);
    for (let i = 2_500; i < 7_500; i++) b.add(`v${i}`);

    a.merge(HyperLogLog.fromBase64(10, b.toBase64()));

    expect(Math.abs(a.estimate() - 7_500) / 7_500).toBeLessThan(3 * standardError(10));
  });
});

describe('features: quality summaries', () => {
  it('merge to the summary of the union of the batches', () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i % 7 === 0 ? null : i * 1.5, `c${i % 13}`] as const);
    const whole = new QualityBuilder(['x', 'c']);
    const parts = [new QualityBuilder(['x', 'c']), new QualityBuilder(['x', 'c'])];
    rows.forEach((row, i) => {
      whole.add(row, i);
      parts[i % 2]?.add(row, i);
    });
    whole.reject(3);
    parts[1]?.reject(3);

    const merged = mergeSummaries(
      parts[0]?.summary() ?? whole.summary(),
      parts[1]?.summary() ?? whole.summary(),
    );

    const a = viewOfSummary(merged);
    const b = viewOfSummary(whole.summary());
    expect(a.rowCount).toBe(b.rowCount);
    expect(a.rejectedCount).toBe(3);
    expect(a.lastEventTime).toBe(b.lastEventTime);
    expect(a.features.c).toEqual(b.features.c);
    expect(a.features.c?.distinct).toBe(13);
    expect(a.features.x?.min).toBe(b.features.x?.min);
    expect(a.features.x?.max).toBe(b.features.x?.max);
    expect(a.features.x?.nullCount).toBe(b.features.x?.nullCount);
    expect(a.features.x?.mean).toBeCloseTo(b.features.x?.mean ?? Number.NaN, 9);
  });
});

describe('features: number hashing for distinct counts', () => {
  it('estimates distinct floats and booleans', () => {
    const builder = new QualityBuilder(['x', 'b']);
    for (let i = 0; i < 50_000; i++) builder.add([(i % 20_000) * 0.1, i % 2 === 0], i);

    const view = viewOfSummary(builder.summary());

    expect(Math.abs((view.features.x?.distinct ?? 0) - 20_000) / 20_000).toBeLessThan(3 * standardError(10));
    expect(view.features.b?.distinct).toBe(2);
  });
});
