// Cold-start budget of every Lambda handler (issue 2, item 9): minified bundle size and import + init
// time in a fresh Node process, beside an empty handler bundled the same way as the floor measured in
// the same run. Budget: ≤ 250 KB minified with SDK clients bundled, import + init ≤ 30 ms.
// Run: npm run bench
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { capabilities } from '../lambdas/catalogue';
import { PLATFORM_BUNDLING } from '../lib/constructs/platform-function';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const SIZE_BUDGET_KB = 250;
const INIT_BUDGET_MS = 30;

const work = mkdtempSync(join(tmpdir(), 'mlops-cold-start-'));

/** The environment a function gets from CDK (lambdas/shared/config.ts), with dummy values. */
const lambdaEnv = {
  ...process.env,
  METADATA_TABLE_NAME: 'bench-table',
  ARTIFACT_BUCKET_NAME: 'bench-bucket',
  NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench',
  EVENT_BUS_NAME: 'default',
  POWERTOOLS_SERVICE_NAME: 'bench',
  // Set by CDK on capabilities that query the offline store (features); harmless for the others.
  OFFLINE_DATABASE: 'bench_offline',
  ATHENA_WORKGROUP: 'bench-offline',
  // Set by CDK on the pipelines and monitoring functions; harmless for the others.
  TRAINING_PIPELINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bench',
  PIPELINE_RULE_PREFIX: 'mlops-bench.train-',
  MONITOR_RULE_PREFIX: 'mlops-bench-',
  MONITOR_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:drift',
  MONITOR_SCHEDULE_ROLE_ARN: 'arn:aws:iam::123456789012:role/bench',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // Lambda's nodejs22.x prints no Node-version notice; Node 20 here would, inside the timed import.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const bundle = async (name: string, entry: string) => {
  const outdir = join(work, name);
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    ...PLATFORM_BUNDLING,
    entryPoints: [entry],
    outfile: join(outdir, 'index.mjs'),
  });
  const file = join(outdir, 'index.mjs');
  return { name, file, bytes: statSync(file).size, metafile: result.metafile as Metafile };
};

/** Median and p90 of `import()` + module init, each run in a fresh process. */
const importTimes = (file: string) => {
  const probe = `const t=performance.now();await import(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', probe], {
      env: lambdaEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    times.push(Number(out.toString()));
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]! };
};

/** Which packages take the bytes of a bundle, largest first. */
const topPackages = (metafile: Metafile, count = 6) => {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const pkg = match ? match[1]! : '(project)';
      byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
};

try {
  const floor = await bundle('empty', 'bench/fixtures/empty-handler.ts');
  const floorTime = importTimes(floor.file);
  console.log(
    `floor (empty handler): ${(floor.bytes / 1024).toFixed(1)} KB, import+init median ${floorTime.median.toFixed(1)} ms`,
  );
  // What the SDK's DynamoDB document client alone costs, bundled the same way: the part of every
  // handler's budget the platform cannot shrink without leaving SDK v3.
  const sdk = await bundle('dynamodb-only', 'bench/fixtures/dynamodb-client-only.ts');
  const sdkTime = importTimes(sdk.file);
  console.log(
    `reference (DynamoDB document client alone): ${(sdk.bytes / 1024).toFixed(1)} KB, import+init median ${sdkTime.median.toFixed(1)} ms (${(sdkTime.median - floorTime.median).toFixed(1)} ms over floor)`,
  );
  console.log('');
  console.log('handler      size KB  budget  import+init ms (median / p90)  × floor  over floor ms  budget');
  let failures = 0;
  for (const capability of capabilities) {
    const bundled = await bundle(capability.name, capability.entry);
    const time = importTimes(bundled.file);
    const overFloor = time.median - floorTime.median;
    const sizeOk = bundled.bytes / 1024 <= SIZE_BUDGET_KB;
    const timeOk = overFloor <= INIT_BUDGET_MS;
    if (!sizeOk || !timeOk) failures++;
    console.log(
      [
        capability.name.padEnd(12),
        (bundled.bytes / 1024).toFixed(1).padStart(7),
        (sizeOk ? 'ok' : 'OVER').padStart(7),
        `${time.median.toFixed(1)} / ${time.p90.toFixed(1)}`.padStart(30),
        (time.median / floorTime.median).toFixed(1).padStart(8),
        overFloor.toFixed(1).padStart(14),
        (timeOk ? 'ok' : 'OVER').padStart(7),
      ].join(' '),
    );
    const top = topPackages(bundled.metafile)
      .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)} KB`)
      .join(', ');
    console.log(`             largest: ${top}`);
  }
  console.log('');
  console.log(
    `${failures === 0 ? 'all handlers within budget' : `${failures} handler(s) over budget`} (runs per figure: ${RUNS})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
