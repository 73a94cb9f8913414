/**
 * Fixtures for monitoring tests: the monitoring and registry handlers over one in-memory store and a
 * temporary object store, a manual clock, recorded events, notifications and schedules; and seeded
 * data — a reference table, its baseline, and capture files drawn from the same or a shifted
 * distribution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { makeMonitoringHandler } from '../../lambdas/monitoring/app';
import { type BaselineMetrics, PREDICTION_COLUMN, writeBaseline } from '../../lambdas/monitoring/baselines';
import { type CaptureRecord, writeCaptures } from '../../lambdas/monitoring/captures';
import { type MonitoringDeps, type MonitorSchedules, monitoringDeps } from '../../lambdas/monitoring/deps';
import { type Cell, profileTable } from '../../lambdas/monitoring/drift';
import { notificationDeps } from '../../lambdas/platform/notifications';
import { makeRegistryHandler, registryDeps } from '../../lambdas/registry/app';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import type { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { makeObservability } from '../../lambdas/shared/observability';
import type { Notification, NotificationPublisher } from '../../lambdas/shared/ports/notification-publisher';
import { parseScheduleExpression } from '../../local/scheduler/schedule-expression';
import { type ManualClock, manualClock } from './clock';
import { type RouteCaller, routeCaller } from './http';
import { seededRandom } from './random';
import { RecordingEventPublisher } from './registry';
import { type StoreOpener, sqliteStores } from './stores';

export class RecordingPublisher implements NotificationPublisher {
  readonly sent: Notification[] = [];
  async publish(notification: Notification): Promise<void> {
    this.sent.push(notification);
  }
  types(): string[] {
    return this.sent.map((n) => n.type);
  }
}

/** Schedules kept in a map, validated by the local scheduler's parser (as the local platform does). */
export class RecordingSchedules implements MonitorSchedules {
  readonly rules = new Map<string, string>();
  async put(name: string, expression: string, field: string): Promise<void> {
    parseScheduleExpression(expression, field);
    this.rules.set(name, expression);
  }
  async remove(name: string): Promise<void> {
    this.rules.delete(name);
  }
}

export interface MonitorFixture {
  readonly store: SqliteMetadataStore;
  readonly objects: FileObjectStore;
  readonly clock: ManualClock;
  readonly events: RecordingEventPublisher;
  readonly publisher: RecordingPublisher;
  readonly schedules: RecordingSchedules;
  readonly deps: MonitoringDeps;
  /** Monitoring routes. */
  readonly call: RouteCaller;
  /** Registry routes, to make models, versions and aliases. */
  readonly registry: RouteCaller;
}

const monitorFixture = (openStore: StoreOpener, home: string): MonitorFixture => {
  const clock = manualClock();
  const store = openStore(clock);
  const objects = new FileObjectStore({ root: home, clock });
  const events = new RecordingEventPublisher();
  const publisher = new RecordingPublisher();
  const schedules = new RecordingSchedules();
  const deps = monitoringDeps({
    store,
    objects,
    clock,
    events,
    schedules,
    notifications: notificationDeps({ store, publisher, clock }),
  });
  const observability = makeObservability('monitoring-test');
  return {
    store,
    objects,
    clock,
    events,
    publisher,
    schedules,
    deps,
    call: routeCaller(makeMonitoringHandler(deps, observability)),
    registry: routeCaller(makeRegistryHandler(registryDeps({ store, events, clock }), observability)),
  };
};

/**
 * Fixtures for the tests of the calling describe block: stores from `sqliteStores()`, temporary
 * object-store folders removed after each test. Returns `setup`, which makes a fresh fixture per call.
 */
export const monitorFixtures = (): (() => MonitorFixture) => {
  const openStore = sqliteStores();
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });
  return () => {
    const home = mkdtempSync(join(tmpdir(), 'mlops-monitor-'));
    homes.push(home);
    return monitorFixture(openStore, home);
  };
};

/** How the generated population looks; `shift` moves both numeric features by that many std. */
export interface Population {
  readonly seed: number;
  readonly rows: number;
  readonly shift?: number;
  /** Probabilities of plan basic, plus, pro. */
  readonly plans?: readonly [number, number, number];
}

export interface Row {
  readonly tenure: number;
  readonly spend: number;
  readonly plan: string;
  readonly prediction: number;
}

/** Rows of a churn-like population: two normal features, one categorical, a score. */
export const population = ({ seed, rows, shift = 0, plans = [0.6, 0.3, 0.1] }: Population): Row[] => {
  const next = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return Array.from({ length: rows }, () => {
    const tenure = 12 + 4 * (normal() + shift);
    const spend = 50 + 10 * (normal() + shift);
    const u = next();
    const plan = u < plans[0] ? 'basic' : u < plans[0] + plans[1] ? 'plus' : 'pro';
    const prediction = 1 / (1 + Math.exp((tenure - 12) / 4));
    return { tenure, spend, plan, prediction };
  });
};

/** Columns of rows. */
export const columnsOf = (
  rows: readonly Row[],
): { features: Record<string, Cell[]>; predictions: Record<string, Cell[]> } => ({
  features: {
    tenure: rows.map((r) => r.tenure),
    spend: rows.map((r) => r.spend),
    plan: rows.map((r) => r.plan),
  },
  predictions: { [PREDICTION_COLUMN]: rows.map((r) => r.prediction) },
});

/** A model with version 1 Approved and champion pointing at it, and its baseline from `reference`. */
export const modelWithBaseline = async (
  f: MonitorFixture,
  model: string,
  reference: readonly Row[],
  extra: { metrics?: BaselineMetrics; featureGroups?: { name: string; version: number }[] } = {},
): Promise<void> => {
  await f.registry('POST /models', { body: { name: model } });
  await f.registry('POST /models/{name}/versions', {
    params: { name: model },
    body: { artifactUri: `s3://artifacts/${model}/1`, artifactSha256: 'a'.repeat(64) },
  });
  await f.registry('POST /models/{name}/versions/{version}/approval', {
    params: { name: model, version: 1 },
    body: { decision: 'Approved', reviewer: 'bob', comment: 'ok' },
  });
  await f.registry('PUT /models/{name}/aliases/{alias}', {
    params: { name: model, alias: 'champion' },
    body: { version: 1 },
  });
  const { features, predictions } = columnsOf(reference);
  await writeBaseline(f.objects, model, 1, {
    features: profileTable(features),
    predictions: profileTable(predictions),
    featureGroups: extra.featureGroups ?? [],
    metrics: extra.metrics ?? {},
  });
};

/** Capture records of `rows`, spread over the hour before `end`, ids `{prefix}-{i}`. */
export const capturesOf = (
  model: string,
  rows: readonly Row[],
  end: Date,
  options: { idPrefix?: string; version?: number; extraFeatures?: Record<string, unknown> } = {},
): CaptureRecord[] =>
  rows.map((row, i) => ({
    inferenceId: `${options.idPrefix ?? 'inf'}-${i}`,
    timestamp: new Date(end.getTime() - 3_600_000 + Math.floor((i * 3_600_000) / rows.length)).toISOString(),
    model,
    version: options.version ?? 1,
    variant: 'champion',
    features: { tenure: row.tenure, spend: row.spend, plan: row.plan, ...options.extraFeatures },
    prediction: row.prediction,
  }));

/** Writes capture files for `rows` in the hour before the fixture clock's now. */
export const writeCaptureRows = (
  f: MonitorFixture,
  model: string,
  rows: readonly Row[],
  options: Parameters<typeof capturesOf>[3] & { fileId?: string } = {},
): Promise<string[]> =>
  writeCaptures(f.objects, capturesOf(model, rows, f.clock.now(), options), options.fileId ?? 'file-1');

/** What churnFixtures' setup makes besides the model: its baseline's size and extras, and a monitor. */
export interface ChurnSetup {
  /** Rows of the reference population (seed 1) the baseline is profiled from; 2000 unless given. */
  readonly rows?: number;
  readonly metrics?: BaselineMetrics;
  /** A monitor to create (the body of POST /monitors), if any. */
  readonly monitor?: Record<string, unknown>;
}

/**
 * Fixtures for the tests of the calling describe block, each closed after its test. The setup it
 * returns makes a fixture with model `churn` (see modelWithBaseline), its baseline from
 * `population({ seed: 1, rows })`, and the monitor if one is given.
 */
export const churnFixtures = (): ((setup?: ChurnSetup) => Promise<MonitorFixture>) => {
  const fixture = monitorFixtures();
  return async ({ rows = 2000, metrics, monitor } = {}) => {
    const f = fixture();
    await modelWithBaseline(f, 'churn', population({ seed: 1, rows }), metrics ? { metrics } : {});
    if (monitor) await f.call('POST /monitors', { body: monitor });
    return f;
  };
};
