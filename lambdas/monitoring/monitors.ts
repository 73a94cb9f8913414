/**
 * Monitors: what to watch (a model through an alias or a pinned version), how often, against which
 * thresholds, and whom to tell. The schedule is put before the monitor is stored, so a schedule the
 * scheduler refuses stores nothing; a monitor is deleted before its schedule, so no run finds it gone.
 */
import { modelExists } from '../registry/public';
import { ConditionFailedError, NotFoundError } from '../shared/errors';
import { withOptimisticRetry } from '../shared/optimistic-retry';
import { apiPage } from '../shared/page';
import type { Item } from '../shared/ports/metadata-store';
import { json } from '../shared/stored';
import type { MonitoringDeps } from './deps';
import { MonitorExistsError, MonitorNotFoundError } from './errors';
import { MONITORS_PK, monitorIndexKey, monitorKey } from './keys';
import { decodeMonitor, type MonitorRecord } from './records';
import { type CreateMonitorInput, MONITOR_KINDS, type MonitorKind, type UpdateMonitorInput } from './schemas';

const kindsOf = (kind: MonitorKind | MonitorKind[] | undefined): MonitorKind[] =>
  kind === undefined ? [...MONITOR_KINDS] : [...new Set(Array.isArray(kind) ? kind : [kind])];

/** Creates a monitor and its schedule; 404 for an unknown model, 409 for a taken name. */
export const createMonitor = async (
  deps: MonitoringDeps,
  input: CreateMonitorInput,
  actor: string,
): Promise<MonitorRecord> => {
  const [model, existing] = await Promise.all([
    modelExists(deps.store, input.model),
    deps.store.get(monitorKey(input.name)),
  ]);
  if (!model) throw new NotFoundError(`Model ${input.model} does not exist.`);
  if (existing) throw new MonitorExistsError(input.name);
  const now = deps.clock.now().toISOString();
  const record: MonitorRecord = {
    name: input.name,
    model: input.model,
    ...(input.version === undefined ? { alias: input.alias ?? 'champion' } : { version: input.version }),
    kinds: kindsOf(input.kind),
    schedule: input.schedule,
    dataSource: input.dataSource,
    window: input.window,
    thresholds: input.thresholds,
    health: input.health,
    performance: input.performance,
    notify: input.notify,
    ...(input.retrain ? { retrain: input.retrain } : {}),
    state: { consecutiveDriftRuns: 0 },
    createdAt: now,
    createdBy: actor,
    updatedAt: now,
  };
  await deps.schedules.put(record.name, record.schedule, 'body.schedule');
  try {
    await deps.store.transact([
      { kind: 'put', ...monitorKey(record.name), data: json(record), condition: { rev: 0 } },
      { kind: 'put', ...monitorIndexKey(record.name), data: { name: record.name }, condition: { rev: 0 } },
    ]);
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    // Lost a race for the name: the winner's schedule is the one to keep.
    const winner = await deps.store.get(monitorKey(record.name));
    const schedule = winner === undefined ? undefined : decodeMonitor(winner).schedule;
    if (schedule !== undefined) await deps.schedules.put(record.name, schedule, 'body.schedule');
    throw new MonitorExistsError(record.name, { cause: error });
  }
  return record;
};

/** The monitor item, with the rev conditional writes must name. */
export const loadMonitor = async (deps: Pick<MonitoringDeps, 'store'>, name: string): Promise<Item> => {
  const item = await deps.store.get(monitorKey(name));
  if (!item) throw new MonitorNotFoundError(name);
  return item;
};

export const getMonitor = async (deps: Pick<MonitoringDeps, 'store'>, name: string): Promise<MonitorRecord> =>
  decodeMonitor(await loadMonitor(deps, name));

/** Monitors in name order: a page of the index, then one batch read. */
export const listMonitors = async (
  deps: Pick<MonitoringDeps, 'store'>,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: MonitorRecord[]; nextToken?: string }> => {
  const index = await deps.store.query(MONITORS_PK, { limit: page.limit, cursor: page.cursor });
  const items = await deps.store.batchGet(index.items.map((item) => monitorKey(item.sk)));
  return apiPage({
    items: items.flatMap((item) => (item ? [decodeMonitor(item)] : [])),
    cursor: index.cursor,
  });
};

/** Every monitor, for the local platform's start-up (registering each schedule). */
export const allMonitors = async (deps: Pick<MonitoringDeps, 'store'>): Promise<MonitorRecord[]> => {
  const all: MonitorRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await listMonitors(deps, { limit: 1000, cursor });
    all.push(...page.items);
    cursor = page.nextToken;
  } while (cursor !== undefined);
  return all;
};

/** The record after a change: absent fields stay, `retrain: null` removes, an alias ends a version pin. */
const changed = (current: MonitorRecord, input: UpdateMonitorInput, now: string): MonitorRecord => {
  const { retrain, kind, alias, ...rest } = input;
  const { retrain: previousRetrain, version: pinned, ...kept } = current;
  const keepRetrain = retrain === undefined ? previousRetrain : (retrain ?? undefined);
  return {
    ...kept,
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    ...(alias === undefined ? (pinned === undefined ? {} : { version: pinned }) : { alias }),
    ...(kind === undefined ? {} : { kinds: kindsOf(kind) }),
    ...(keepRetrain ? { retrain: keepRetrain } : {}),
    updatedAt: now,
  };
};

/** Puts every stored monitor's schedule: the local platform does this at start-up. */
export const scheduleAllMonitors = async (deps: MonitoringDeps): Promise<number> => {
  const monitors = await allMonitors(deps);
  for (const monitor of monitors) await deps.schedules.put(monitor.name, monitor.schedule, 'schedule');
  return monitors.length;
};

/** Changes settings; a new schedule is put before the change is stored. */
export const updateMonitor = async (
  deps: MonitoringDeps,
  name: string,
  input: UpdateMonitorInput,
): Promise<MonitorRecord> => {
  await loadMonitor(deps, name);
  if (input.schedule !== undefined) await deps.schedules.put(name, input.schedule, 'body.schedule');
  return withOptimisticRetry(deps.retry, async () => {
    const item = await loadMonitor(deps, name);
    const next = changed(decodeMonitor(item), input, deps.clock.now().toISOString());
    await deps.store.put({ ...monitorKey(name), data: json(next), condition: { rev: item.rev } });
    return next;
  });
};

/** Removes the monitor, then its schedule; its reports stay readable. */
export const deleteMonitor = async (deps: MonitoringDeps, name: string): Promise<void> => {
  const item = await loadMonitor(deps, name);
  await deps.store.transact([
    { kind: 'delete', ...monitorKey(name), condition: { rev: item.rev } },
    { kind: 'delete', ...monitorIndexKey(name) },
  ]);
  await deps.schedules.remove(name);
};
