// Drift engine at scale (issue 6), against peers measured in the same run on the same data:
// - the scale path: ROWS × COLUMNS numeric current rows summarised on WORKERS worker threads against
//   a stored baseline profile, then compared (KS, W1/std, PSI with error bounds) — target ≤ 2 s for
//   1M × 50 — against scipy's exact ks_2samp + wasserstein_distance per column (target ≥ 5× faster);
// - the exact path (compareTables on raw values) against the same scipy run;
// - memory: peak RSS of a process streaming 1M and then 4M rows through the summaries in chunks;
// - `mlops drift compare` on raw CSVs against numpy.loadtxt + scipy (no pandas on this machine).
// Run: node --import tsx bench/drift.ts
//   (BENCH_ROWS, BENCH_COLUMNS, BENCH_WORKERS, BENCH_RUNS, BENCH_CSV_ROWS, BENCH_CSV_COLUMNS; python3 with
//   scipy). Timings of our side are the median of BENCH_RUNS runs; the machine may be shared.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BaselineProfile,
  type CurrentSummary,
  compareTables,
  compareToBaseline,
  mergeSummaries,
  profileTable,
} from '../lambdas/monitoring/drift';
import { SummaryWorkers, summarizeInWorkers } from '../lambdas/monitoring/drift/parallel';
import { normalSampler, seededRandom } from '../test/fixtures/drift/samples';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const COLUMNS = Number(process.env.BENCH_COLUMNS ?? 50);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CSV_ROWS = Number(process.env.BENCH_CSV_ROWS ?? 200_000);
const CSV_COLUMNS = Number(process.env.BENCH_CSV_COLUMNS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STREAM_CHUNK = 250_000;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Column c: every 5th shifted by 0.15σ, every 7th scaled by 1.2, the rest unchanged (current side). */
const fill = (target: Float64Array, column: number, seed: number, current: boolean): Float64Array => {
  const normal = normalSampler(seededRandom(seed * 1_000 + column));
  const shift = current && column % 5 === 0 ? 0.15 : 0;
  const scale = current && column % 7 === 0 ? 1.2 : 1;
  for (let i = 0; i < target.length; i++) target[i] = 10 + column + scale * normal() + shift;
  return target;
};
const table = (rows: number, seed: number, current: boolean, shared = false) =>
  Object.fromEntries(
    Array.from({ length: COLUMNS }, (_, c) => {
      const buffer = shared ? new SharedArrayBuffer(rows * 8) : new ArrayBuffer(rows * 8);
      return [`f${c}`, fill(new Float64Array(buffer), c, seed, current)];
    }),
  );
const timed = async <T>(run: () => T | Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
};
/**
 * Peak resident memory of this process. Not resourceUsage().maxRSS: Linux carries that across exec, so
 * a child would report the peak of the parent it was forked from; VmHWM belongs to this image only.
 */
const peakRssMb = (): number => {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : process.resourceUsage().maxRSS / 1024;
};
const medianOf = async <T>(run: () => T | Promise<T>): Promise<[T, number]> => {
  const runs: [T, number][] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await timed(run));
  return runs.sort((a, b) => a[1] - b[1])[Math.floor(RUNS / 2)]!;
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Child mode: stream `rows` current rows in chunks through a warm worker pool; print time and RSS. */
const stream = async (rows: number, baselinePath: string) => {
  const baseline = JSON.parse(readFileSync(baselinePath, 'utf8')) as BaselineProfile;
  const pool = new SummaryWorkers(baseline, WORKERS);
  const chunk = table(STREAM_CHUNK, 0, true, true);
  let merged: CurrentSummary | undefined;
  let summarising = 0;
  for (let done = 0, part = 1; done < rows; done += STREAM_CHUNK, part++) {
    for (const [c, column] of Object.values(chunk).entries()) fill(column, c, 100 + part, true);
    const [summary, ms] = await timed(() => pool.summarize(chunk));
    summarising += ms;
    merged = merged ? mergeSummaries(merged, summary) : summary;
  }
  await pool.close();
  const report = compareToBaseline(baseline, merged!);
  console.log(JSON.stringify({ rows, ms: summarising, maxRssMb: peakRssMb(), share: report.dataset.share }));
};

const hasScipy = (interpreter: string) => spawnSync(interpreter, ['-c', 'import scipy']).status === 0;

/**
 * A python3 with scipy: the one on PATH, else Debian's, installing `python3-scipy` when missing (as
 * root, through apt-get; the package index must be reachable).
 */
const findPython = (): string => {
  for (const interpreter of ['python3', '/usr/bin/python3']) if (hasScipy(interpreter)) return interpreter;
  console.log('scipy not found: installing Debian python3-scipy for the peer…');
  const apt = (...args: string[]) => {
    const asRoot = process.getuid?.() === 0;
    spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['-n', 'apt-get', ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  apt('update');
  apt('install', '-y', 'python3-scipy');
  if (hasScipy('/usr/bin/python3')) return '/usr/bin/python3';
  throw new Error('python3 with scipy is needed for the peer, and apt-get install python3-scipy failed');
};
let pythonBin = 'python3';

const python = (script: string, ...args: string[]) =>
  JSON.parse(
    execFileSync(pythonBin, [here(`fixtures/${script}`), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }),
  );

const main = async () => {
  pythonBin = findPython();
  const dir = mkdtempSync(join(tmpdir(), 'bench-drift-'));
  try {
    console.log(
      `drift bench: ${ROWS.toLocaleString()} rows × ${COLUMNS} numeric columns, ${WORKERS} workers`,
    );
    const reference = table(ROWS, 1, false);
    const current = table(ROWS, 2, true, true);
    const [baseline, profileMs] = await timed(() => profileTable(reference));
    writeFileSync(join(dir, 'baseline.json'), JSON.stringify(baseline));
    console.log(`baseline profile (once, at training time): ${s(profileMs)}`);

    const cold = async () =>
      compareToBaseline(baseline, await summarizeInWorkers(baseline, current, WORKERS));
    const [report, coldMs] = await medianOf(cold);
    const pool = new SummaryWorkers(baseline, WORKERS);
    await pool.summarize(current);
    const [, warmMs] = await medianOf(async () => compareToBaseline(baseline, await pool.summarize(current)));
    await pool.close();
    const [exact, exactMs] = await timed(() => compareTables(reference, current));

    const write = (name: string, data: Record<string, Float64Array>) => {
      const path = join(dir, name);
      writeFileSync(
        path,
        Buffer.concat(Object.values(data).map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))),
      );
      return path;
    };
    const refPath = write('reference.bin', reference);
    const curPath = write('current.bin', current);
    const scipy = python('drift-scipy.py', refPath, curPath, String(ROWS), String(ROWS), String(COLUMNS));
    const scipyMs = scipy.seconds * 1000;

    let ksError = 0;
    let wError = 0;
    let ksBound = 0;
    let wBound = 0;
    Object.values(report.features).forEach((f, c) => {
      ksError = Math.max(ksError, Math.abs(f.ksStatistic! - scipy.ks[c]));
      wError = Math.max(wError, Math.abs(f.wassersteinNormed! - scipy.wassersteinNormed[c]));
      ksBound = Math.max(ksBound, f.errorBounds?.ksStatistic ?? 0);
      wBound = Math.max(wBound, f.errorBounds?.wassersteinNormed ?? 0);
    });
    const exactKsError = Math.max(
      ...Object.values(exact.features).map((f, c) => Math.abs(f.ksStatistic! - scipy.ks[c])),
    );
    console.log(
      `summaries: summarise on ${WORKERS} workers + compare: ${s(coldMs)} (workers started inside the timing), ${s(warmMs)} warm`,
    );
    console.log(
      `  drifted ${report.dataset.driftedColumns.length}/${COLUMNS}; max |KS − scipy| ${ksError.toExponential(1)} (bound ${ksBound.toExponential(1)}), max |W1/std − scipy| ${wError.toExponential(1)} (bound ${wBound.toExponential(1)})`,
    );
    console.log(`scipy ks_2samp + wasserstein_distance, same data: ${s(scipyMs)}`);
    console.log(
      `  ratio scipy / summaries: ${(scipyMs / coldMs).toFixed(1)}× cold, ${(scipyMs / warmMs).toFixed(1)}× warm (target ≥ 5×)`,
    );
    console.log(
      `exact compareTables on the raw values: ${s(exactMs)}; scipy / exact ${(scipyMs / exactMs).toFixed(1)}×, max |KS − scipy| ${exactKsError.toExponential(1)}`,
    );

    for (const rows of [1_000_000, 4_000_000]) {
      const child = execFileSync(
        process.execPath,
        ['--import', 'tsx', here('drift.ts'), '--stream', String(rows), join(dir, 'baseline.json')],
        { encoding: 'utf8' },
      );
      const { ms, maxRssMb: rss } = JSON.parse(child.trim().split('\n').pop()!);
      console.log(
        `streamed ${rows.toLocaleString()} rows in ${STREAM_CHUNK.toLocaleString()}-row chunks: summarise ${s(ms)}, peak RSS ${rss.toFixed(0)} MB`,
      );
    }

    const csv = (name: string, seed: number, isCurrent: boolean) => {
      const columns = Array.from({ length: CSV_COLUMNS }, (_, c) =>
        fill(new Float64Array(CSV_ROWS), c, seed, isCurrent),
      );
      const lines = [columns.map((_, c) => `f${c}`).join(',')];
      for (let r = 0; r < CSV_ROWS; r++) lines.push(columns.map((column) => column[r]!.toFixed(6)).join(','));
      writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
      return join(dir, name);
    };
    const refCsv = csv('reference.csv', 3, false);
    const curCsv = csv('current.csv', 4, true);
    const [, cliMs] = await timed(() =>
      execFileSync(
        process.execPath,
        [here('../bin/mlops.mjs'), 'drift', 'compare', '--reference', refCsv, '--current', curCsv, '--json'],
        { maxBuffer: 1 << 26 },
      ),
    );
    const [peer, pythonMs] = await timed(() => python('drift-csv-scipy.py', refCsv, curCsv));
    console.log(
      `CSV ${CSV_ROWS.toLocaleString()} rows × ${CSV_COLUMNS} columns, two files, processes end to end:`,
    );
    console.log(
      `  mlops drift compare --json: ${s(cliMs)}; numpy.loadtxt + scipy: ${s(pythonMs)} (load ${peer.loadSeconds.toFixed(2)} s, statistics ${peer.statsSeconds.toFixed(2)} s); ratio ${(pythonMs / cliMs).toFixed(1)}×`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

if (process.argv[2] === '--stream') await stream(Number(process.argv[3]), process.argv[4]!);
else await main();
