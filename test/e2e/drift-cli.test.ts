import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeParquetColumns } from '../../lambdas/features/offline/parquet';
import { compareTables } from '../../lambdas/monitoring/drift';
import { readTableFile } from '../../lambdas/monitoring/drift/table-file';
import { distributions, sample } from '../fixtures/drift/samples';
import { PROCESS_TEST_OPTIONS, runCli } from '../support/processes';

const d = distributions(3);
const reference = {
  age: sample(1500, d.normal(40, 10)).map((v) => Math.round(v * 1000) / 1000),
  city: sample(1500, d.categories({ SEA: 3, NYC: 2, SFO: 1 })),
  flag: sample(1500, d.categories({ 0: 1, 1: 1 })),
};
const current = {
  age: sample(1200, d.normal(44, 10)).map((v, i) => (i % 20 === 0 ? null : Math.round(v * 1000) / 1000)),
  city: sample(1200, d.categories({ SEA: 3, NYC: 2, LAX: 1 })),
  flag: sample(1200, d.categories({ 0: 1, 1: 1 })),
};

const csv = (table: Record<string, readonly (string | number | null)[]>) => {
  const names = Object.keys(table);
  const rows = table[names[0]!]!.map((_, r) => names.map((n) => table[n]![r] ?? '').join(','));
  return `${names.join(',')}\n${rows.join('\n')}\n`;
};

describe('mlops drift compare', PROCESS_TEST_OPTIONS, () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  /** `mlops drift compare` of reference.csv with `currentFile`, then `options`. */
  const compare = (currentFile: string, ...options: string[]) =>
    runCli(
      'drift',
      'compare',
      '--reference',
      file('reference.csv'),
      '--current',
      file(currentFile),
      ...options,
    );
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlops-drift-'));
    writeFileSync(file('reference.csv'), csv(reference));
    writeFileSync(file('current.csv'), csv(current));
    writeFileSync(
      file('current.parquet'),
      encodeParquetColumns(
        [
          { name: 'age', type: 'float' },
          { name: 'city', type: 'string' },
          { name: 'flag', type: 'string' },
        ],
        [current.age, current.city, current.flag],
      ),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the features and the dataset verdict as JSON, with the exact statistics, and exits 0', async () => {
    const { code, output } = await compare('current.csv', '--json');

    expect(code).toBe(0);
    const report = JSON.parse(output);
    expect(Object.keys(report)).toEqual(['features', 'dataset']);
    expect(Object.keys(report.dataset)).toEqual(['drift', 'share']);
    const exact = compareTables(reference, current).features;
    expect(report.features.age).toMatchObject({
      type: 'numeric',
      drift: true,
      method: 'wasserstein',
      ksStatistic: exact.age!.ksStatistic,
      wassersteinNormed: exact.age!.wassersteinNormed,
      psi: exact.age!.psi,
      missingRate: { reference: 0, current: 0.05 },
    });
    expect(report.features.city).toMatchObject({
      type: 'categorical',
      drift: true,
      method: 'jensenshannon',
      jensenShannon: exact.city!.jensenShannon,
      chiSquarePValue: exact.city!.chiSquarePValue,
    });
    expect(report.features.flag).toMatchObject({ type: 'numeric', drift: false });
    expect(report.dataset).toEqual({ drift: true, share: 2 / 3 });
  });

  it('reads Parquet like CSV and takes column type overrides', async () => {
    const fromCsv = await compare('current.csv', '--json', '--column-type', 'flag=categorical');
    const fromParquet = await compare('current.parquet', '--json', '--column-type', 'flag=categorical');

    expect(fromParquet.code).toBe(0);
    expect(JSON.parse(fromParquet.output)).toEqual(JSON.parse(fromCsv.output));
    expect(JSON.parse(fromCsv.output).features.flag).toMatchObject({
      type: 'categorical',
      method: 'jensenshannon',
    });
  });

  it('prints a readable table without --json', async () => {
    const { code, output } = await compare('current.csv');

    expect(code).toBe(0);
    expect(output).toMatch(/^column\s+type\s+method\s+statistic\s+p-value\s+psi\s+missing\s+verdict/);
    expect(output).toMatch(/\nage\s+numeric\s+wasserstein\s+\d\.\d{4}\s+-\s+\d\.\d{4}\s+5\.0%\s+drift\n/);
    expect(output).toContain('dataset: DRIFT — 2 of 3 judged columns drifted (share 0.67)');
  });

  it('keeps the text of a column that turns out not to be numeric, and reads quoted CSV', async () => {
    writeFileSync(file('codes.csv'), 'code,n\n007,1\n8,2\nx,3\n');
    writeFileSync(file('quoted.csv'), 'code,n\r\n"007",1\r\n"a, b",2\r\n');

    const codes = await readTableFile(file('codes.csv'));
    const quoted = await readTableFile(file('quoted.csv'));

    expect(codes.code).toEqual(['007', '8', 'x']);
    expect(Array.from(codes.n as Float64Array)).toEqual([1, 2, 3]);
    expect(quoted.code).toEqual(['007', 'a, b']);
  });
});
