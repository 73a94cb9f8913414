// Registry registration cost on the local platform's store (SQLite file in a temp dir, WAL, as
// `npm start` opens it), beside floors measured in the same run, samples interleaved round-robin:
// a bare better-sqlite3 create-only insert of the version item; the registration's own four writes in
// one bare transaction; and, for the HTTP figure, a bare node:http server and a no-op route, all hit
// from a separate client process (bench/fixtures/http-timer.mjs), as the CLI would.
// Target (issue 3): registration p99 ≤ 5 ms locally. Then the full-scale concurrency check:
// 16 writers × 1000 registrations on one model must give exactly versions 1..16000 (exit code 1 if not).
// Run: node --import tsx bench/registry.ts   (BENCH_N=... sets the sample size; default 5000)
import { AsyncLocalStorage } from 'node:async_hooks';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import * as z from 'zod';
import { makeRegistryHandler } from '../lambdas/registry/app';
import { DEFAULT_RETRY, type RegistryDeps, registryDeps } from '../lambdas/registry/deps';
import { historyPk, VERSION_PREFIX, versionKey } from '../lambdas/registry/keys';
import { createModel } from '../lambdas/registry/models';
import { registryRoutes } from '../lambdas/registry/routes';
import { registerVersion } from '../lambdas/registry/versions';
import { SqliteMetadataStore } from '../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { ConditionFailedError } from '../lambdas/shared/errors';
import { makeHttpHandler } from '../lambdas/shared/http/handler';
import { defineRoute } from '../lambdas/shared/http/route';
import { makeObservability } from '../lambdas/shared/observability';
import { systemClock } from '../lambdas/shared/ports/clock';
import type { Item, MetadataStore, Page, WriteOp } from '../lambdas/shared/ports/metadata-store';
import { LocalEventBus } from '../local/events/local-event-bus';
import { startLocalHttpServer } from '../local/http-server';

process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

const N = Number(process.env.BENCH_N ?? 5000);
const WRITERS = 16;
const PER_WRITER = 1000;
const TARGET_P99_MS = 5;

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
type Stats = { p50: number; p99: number; max: number };
const summary = (samples: number[]): Stats => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
};
const fmt = (ms: number) => (ms < 10 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(1)} ms`);
const line = (label: string, s: Stats) =>
  `${label.padEnd(44)} p50 ${fmt(s.p50).padStart(8)}   p99 ${fmt(s.p99).padStart(8)}   max ${fmt(s.max).padStart(9)}`;

const artifact = (i: number | string) => ({
  artifactUri: `file:///models/churn/${i}/model.tar.gz`,
  artifactSha256: 'ab'.repeat(32),
  metrics: { auc: 0.91, logloss: 0.31 },
  params: { depth: 6, eta: 0.3, objective: 'binary:logistic' },
});

const noEvents = { publish: async () => {} };

/**
 * Counts, per registration, the transactions it tried (AsyncLocalStorage follows each registration
 * through its retries), and in all the ones that lost a condition: how hard the writers raced.
 */
const counting = (inner: MetadataStore) => {
  const current = new AsyncLocalStorage<{ tries: number }>();
  const counter = { conflicts: 0 };
  const store: MetadataStore = {
    get: (key) => inner.get(key),
    batchGet: (keys) => inner.batchGet(keys),
    put: (op) => inner.put(op),
    delete: (op) => inner.delete(op),
    query: (pk, options) => inner.query(pk, options),
    putIfNewer: (ops, order) => inner.putIfNewer(ops, order),
    transact: async (ops: readonly WriteOp[]) => {
      const registration = current.getStore();
      if (registration) registration.tries++;
      try {
        await inner.transact(ops);
      } catch (error) {
        if (error instanceof ConditionFailedError) counter.conflicts++;
        throw error;
      }
    },
  };
  /** Runs `register` and returns how many transactions it tried. */
  const triesOf = async (register: () => Promise<unknown>): Promise<number> => {
    const registration = { tries: 0 };
    await current.run(registration, register);
    return registration.tries;
  };
  return { store, counter, triesOf };
};

/** The store with a turn of the event loop before each call: the interleaving of real I/O. */
const yielding = (inner: MetadataStore): MetadataStore => {
  const after = async <T>(call: () => Promise<T>): Promise<T> => {
    await setImmediate();
    return call();
  };
  return {
    get: (key) => after(() => inner.get(key)),
    batchGet: (keys) => after(() => inner.batchGet(keys)),
    put: (op) => after(() => inner.put(op)),
    delete: (op) => after(() => inner.delete(op)),
    query: (pk, options) => after(() => inner.query(pk, options)),
    putIfNewer: (ops, order) => after(() => inner.putIfNewer(ops, order)),
    transact: (ops) => after(() => inner.transact(ops)),
  };
};

let raceNumber = 0;

/** 16 writers × 1000 registrations on a fresh model; checks versions 1..16000 and their audit entries. */
const fullScale = async (label: string, base: MetadataStore): Promise<void> => {
  const { store, counter, triesOf } = counting(base);
  const deps: RegistryDeps = registryDeps({ store, events: noEvents, clock: systemClock });
  const name = `race-${++raceNumber}`;
  await createModel(deps, { name, protectedAliases: ['champion'] }, 'bench');
  const latencies: number[] = [];
  const tries: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = 0; i < PER_WRITER; i++) {
        const start = performance.now();
        tries.push(await triesOf(() => registerVersion(deps, name, artifact(`${w}-${i}`), `writer-${w}`)));
        latencies.push(performance.now() - start);
      }
    }),
  );
  const wall = performance.now() - started;
  const versions: number[] = [];
  let cursor: string | undefined;
  do {
    const page: Page<Item> = await base.query(`model#${name}`, {
      prefix: VERSION_PREFIX,
      limit: 1000,
      cursor,
    });
    versions.push(...page.items.map((item) => Number(item.data.version)));
    cursor = page.cursor;
  } while (cursor !== undefined);
  let audited = 0;
  do {
    const page: Page<Item> = await base.query(historyPk(name), { limit: 1000, cursor });
    audited += page.items.filter((item) => item.data.kind === 'version-registered').length;
    cursor = page.cursor;
  } while (cursor !== undefined);
  const total = WRITERS * PER_WRITER;
  const exact = versions.length === total && versions.every((version, index) => version === index + 1);
  console.log(`${WRITERS} writers × ${PER_WRITER} registrations on one model (${label}):`);
  console.log(
    `  versions stored: ${versions.length}, first ${versions[0]}, last ${versions.at(-1)}; exactly 1..${total}: ${exact ? 'yes' : 'NO'}; audit entries: ${audited}`,
  );
  const sortedTries = [...tries].sort((x, y) => x - y);
  console.log(
    `  tries per registration: mean ${(tries.reduce((x, y) => x + y, 0) / tries.length).toFixed(3)}, p99 ${percentile(sortedTries, 0.99)}, max ${sortedTries.at(-1)} (retrying stops after ${DEFAULT_RETRY.budgetMs} ms)`,
  );
  console.log(
    `  conditions lost and retried: ${counter.conflicts}; wall ${(wall / 1000).toFixed(2)} s, ${Math.round(total / (wall / 1000))} registrations/s`,
  );
  console.log(line('  latency per registration (with waits)', summary(latencies)));
  if (!exact || audited !== total) process.exitCode = 1;
};

const work = mkdtempSync(join(tmpdir(), 'mlops-registry-bench-'));
try {
  console.log(`registry bench — Node ${process.version}, SQLite files in ${work}, ${N} samples each`);
  console.log('samples interleave round-robin, so machine noise falls on floor and registration alike\n');

  // The floors, on a bare connection with the store's schema and pragmas: one create-only insert of
  // the version item, and the registration's own writes (model row updated, version, status-index and
  // audit rows inserted) in one transaction — the I/O a registration cannot avoid.
  const bare = new Database(join(work, 'floor.sqlite'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = NORMAL');
  bare.exec(
    'CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, rev INTEGER NOT NULL, data TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (pk, sk)) WITHOUT ROWID',
  );
  const insert = bare.prepare('INSERT INTO items (pk, sk, rev, data, expires_at) VALUES (?, ?, 1, ?, NULL)');
  const update = bare.prepare('UPDATE items SET rev = rev + 1, data = ? WHERE pk = ? AND sk = ?');
  const insertOne = bare.transaction((pk: string, sk: string, data: string) => insert.run(pk, sk, data));
  const sampleItem = (version: number) => ({
    model: 'floor',
    version,
    status: 'PendingApproval',
    ...artifact(version),
    aliases: [],
    createdAt: systemClock.now().toISOString(),
    createdBy: 'bench',
    updatedAt: systemClock.now().toISOString(),
  });
  insert.run('model#floor4', '#model', JSON.stringify({ name: 'floor4', latestVersion: 0 }));
  const sameWrites = bare.transaction((version: number) => {
    const padded = String(version).padStart(10, '0');
    update.run(JSON.stringify({ name: 'floor4', latestVersion: version }), 'model#floor4', '#model');
    insert.run('model#floor4', `version#${padded}`, JSON.stringify(sampleItem(version)));
    insert.run('model#floor4#status#PendingApproval', padded, JSON.stringify({ version }));
    insert.run(
      'model#floor4#history',
      `${systemClock.now().getTime()}-${version}`,
      JSON.stringify({ kind: 'version-registered', version }),
    );
  });

  const store = new SqliteMetadataStore({ path: join(work, 'metadata.sqlite'), clock: systemClock });
  // Events go to the local event bus, as on `npm start`: each one is also written to the store.
  const bus = new LocalEventBus({ store, clock: systemClock });
  const deps: RegistryDeps = registryDeps({ store, events: bus, clock: systemClock });
  const quietDeps: RegistryDeps = registryDeps({ store, events: noEvents, clock: systemClock });
  for (const name of ['quiet', 'core', 'edge', 'http'])
    await createModel(deps, { name, protectedAliases: ['champion'] }, 'bench');
  const handler = makeRegistryHandler(deps, makeObservability('registry-bench'));
  const event = (i: number) => ({
    version: '2.0',
    routeKey: 'POST /models/{name}/versions',
    rawPath: '/models/edge/versions',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { name: 'edge' },
    body: JSON.stringify(artifact(i)),
    isBase64Encoded: false,
    requestContext: { requestId: `bench-${i}`, http: { method: 'POST', path: '/models/edge/versions' } },
  });
  const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 30_000 };
  // The transport's own floor: the same POST through the same server and edge to a route that does nothing.
  const noopRoutes = {
    noop: defineRoute({
      operationId: 'noop',
      method: 'POST',
      path: '/noop',
      summary: 'Does nothing.',
      request: { body: z.looseObject({}) },
      responses: { 201: { description: 'Done.' } },
    }),
  };
  const noop = makeHttpHandler({
    routes: noopRoutes,
    implementations: { noop: async () => ({ status: 201, body: {} }) },
    observability: makeObservability('noop-bench'),
  });
  const server = await startLocalHttpServer({
    clock: systemClock,
    host: '127.0.0.1',
    port: 0,
    capabilities: [
      { name: 'registry', routes: registryRoutes, handler },
      { name: 'noop', routes: noopRoutes, handler: noop },
    ],
    defaultCapability: 'registry',
  });
  // The bare transport: a node:http server that reads the body and answers 201 {}.
  const bareHttp = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => bareHttp.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bareHttp.address() as AddressInfo).port}`;
  // HTTP requests come from another process, as the CLI's do: a client sharing the server's event loop
  // would time its own work too. The client measures each round trip and reports it.
  const client = fork(fileURLToPath(new URL('./fixtures/http-timer.mjs', import.meta.url)));
  const post = (path: string, i: number, base = server.url) =>
    new Promise<number>((resolve, reject) => {
      client.once('message', (reply: { ms: number; status: number }) =>
        reply.status === 201 ? resolve(reply.ms) : reject(new Error(`HTTP ${reply.status} from ${path}`)),
      );
      client.send({ url: `${base}${path}`, body: JSON.stringify(artifact(i)) });
    });
  /** `run` may resolve to the time it measured itself (the HTTP client's round trip). */
  const subjects: { label: string; run: (i: number) => unknown; samples: number[] }[] = [
    {
      label: 'floor: bare insert of the version item',
      run: (i) => {
        const { pk, sk } = versionKey('floor1', i + 1);
        insertOne.immediate(pk, sk, JSON.stringify(sampleItem(i + 1)));
      },
      samples: [],
    },
    { label: 'floor: bare transaction, same 4 writes', run: (i) => sameWrites.immediate(i + 1), samples: [] },
    {
      // The registration alone: read the model, the conditional 4-item transaction; events dropped.
      label: 'registration, core, no-op event publisher',
      run: (i) => registerVersion(quietDeps, 'quiet', artifact(i), 'bench'),
      samples: [],
    },
    {
      // The registration, then its event recorded by the local event bus (a second transaction).
      label: 'registration, core, local event bus',
      run: (i) => registerVersion(deps, 'core', artifact(i), 'bench'),
      samples: [],
    },
    {
      // As the local server calls it: validation, routing, problem mapping, middy, Powertools.
      label: 'registration, Lambda handler (in-process)',
      run: async (i) => {
        const response = await handler(event(i) as never, context as never);
        if (response.statusCode !== 201) throw new Error(`handler answered ${response.statusCode}`);
      },
      samples: [],
    },
    {
      label: 'floor: loopback HTTP POST, bare node:http',
      run: (i) => post('/', i, bareUrl),
      samples: [],
    },
    {
      label: 'floor: loopback HTTP POST, no-op route',
      run: (i) => post('/noop', i),
      samples: [],
    },
    {
      // Over loopback HTTP (keep-alive, from another process) through the local API Gateway stand-in.
      label: 'registration, loopback HTTP (local server)',
      run: (i) => post('/models/http/versions', i),
      samples: [],
    },
  ];
  const WARM_UP = 300;
  try {
    for (let i = 0; i < WARM_UP + N; i++) {
      // Rotate the order so that no subject always runs right after another.
      for (let k = 0; k < subjects.length; k++) {
        const subject = subjects[(i + k) % subjects.length]!;
        const start = performance.now();
        const measured = await subject.run(i);
        const elapsed = typeof measured === 'number' ? measured : performance.now() - start;
        if (i >= WARM_UP) subject.samples.push(elapsed);
      }
    }
  } finally {
    client.disconnect();
    await server.close();
    bareHttp.close();
    await bus.drain();
  }
  bare.close();

  const [floor, sameFloor, quiet, core, edge, bareHttpFloor, httpFloor, http] = subjects.map((subject) => {
    const s = summary(subject.samples);
    console.log(line(subject.label, s));
    return s;
  }) as [Stats, Stats, Stats, Stats, Stats, Stats, Stats, Stats];
  const ratio = (a: Stats, b: Stats) => `×${(a.p99 / b.p99).toFixed(1)}`;
  console.log(
    `\np99 ratios: registration alone / bare insert ${ratio(quiet, floor)}, / same 4 writes ${ratio(quiet, sameFloor)};`,
  );
  console.log(
    `  with the local event bus: core / same 4 writes ${ratio(core, sameFloor)}, handler ${ratio(edge, sameFloor)};`,
  );
  console.log(
    `  HTTP registration / bare HTTP ${ratio(http, bareHttpFloor)}, / HTTP no-op ${ratio(http, httpFloor)}`,
  );
  const verdict = (s: Stats) => `${s.p99 <= TARGET_P99_MS ? 'met' : 'NOT met'} (${s.p99.toFixed(3)} ms)`;
  console.log(`target p99 ≤ ${TARGET_P99_MS} ms — registration alone: ${verdict(quiet)};`);
  console.log(`  with the local event bus: core ${verdict(core)}, handler ${verdict(edge)};`);
  console.log(
    `  over HTTP ${verdict(http)}, where bare node:http alone takes ${bareHttpFloor.p99.toFixed(3)} ms\n`,
  );

  // Full scale: 16 writers × 1000 registrations on one model, each writer registering in a loop. Twice:
  // on the store as the local platform uses it, whose calls complete without yielding to the event loop
  // (so writers collide mostly at the start); and with every store call yielding first, as a networked
  // store's would, so that all 16 interleave between their read and their write and collide throughout.
  await fullScale('SQLite store as the local platform uses it', store);
  await fullScale('every store call yields to the event loop first', yielding(store));
  store.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
