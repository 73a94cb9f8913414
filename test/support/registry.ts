/**
 * Fixtures for registry tests: the registry's HTTP handler over a given MetadataStore, a recording
 * EventPublisher, a manual clock, and a store wrapper that records every committed write (so a test
 * can show that a refused request stored nothing).
 */
import { createHash } from 'node:crypto';
import { makeRegistryHandler } from '../../lambdas/registry/app';
import { type RegistryDeps, registryDeps } from '../../lambdas/registry/deps';
import { ConditionFailedError } from '../../lambdas/shared/errors';
import type { HttpHandler } from '../../lambdas/shared/http/handler';
import { makeObservability } from '../../lambdas/shared/observability';
import type { EventPublisher, PlatformEvent } from '../../lambdas/shared/ports/event-publisher';
import type {
  DeleteOp,
  Item,
  ItemKey,
  JsonObject,
  MetadataStore,
  NewerPutOp,
  Page,
  PutOp,
  QueryOptions,
  RecencyOrder,
  WriteOp,
} from '../../lambdas/shared/ports/metadata-store';
import { type ManualClock, manualClock } from './clock';
import { type RouteCaller, routeCaller } from './http';

export class RecordingEventPublisher implements EventPublisher {
  readonly published: PlatformEvent[] = [];
  failures = 0;
  async publish(events: readonly PlatformEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('EventBridge is down');
    }
    this.published.push(...events);
  }
  types(): string[] {
    return this.published.map((event) => event.detailType);
  }
}

/** Delegates to `inner` and records each write op that committed. */
export class WriteRecordingStore implements MetadataStore {
  readonly committed: WriteOp[] = [];
  /** Transactions refused because a condition failed: evidence that writers really raced. */
  conflicts = 0;
  constructor(readonly inner: MetadataStore) {}
  get<T extends JsonObject = JsonObject>(key: ItemKey): Promise<Item<T> | undefined> {
    return this.inner.get<T>(key);
  }
  batchGet<T extends JsonObject = JsonObject>(keys: readonly ItemKey[]): Promise<(Item<T> | undefined)[]> {
    return this.inner.batchGet<T>(keys);
  }
  async put<T extends JsonObject>(op: Omit<PutOp<T>, 'kind'>): Promise<Item<T>> {
    const item = await this.inner.put(op);
    this.committed.push({ kind: 'put', ...op });
    return item;
  }
  async delete(op: Omit<DeleteOp, 'kind'>): Promise<void> {
    await this.inner.delete(op);
    this.committed.push({ kind: 'delete', ...op });
  }
  async transact(ops: readonly WriteOp[]): Promise<void> {
    try {
      await this.inner.transact(ops);
    } catch (error) {
      if (error instanceof ConditionFailedError) this.conflicts++;
      throw error;
    }
    this.committed.push(...ops);
  }
  query<T extends JsonObject = JsonObject>(pk: string, options?: QueryOptions): Promise<Page<Item<T>>> {
    return this.inner.query<T>(pk, options);
  }
  async putIfNewer(ops: readonly NewerPutOp[], order: RecencyOrder): Promise<boolean[]> {
    const written = await this.inner.putIfNewer(ops, order);
    ops.forEach((op, index) => {
      if (written[index]) this.committed.push({ kind: 'put', ...op });
    });
    return written;
  }
}

export interface RegistryFixture {
  readonly store: WriteRecordingStore;
  readonly events: RecordingEventPublisher;
  readonly clock: ManualClock;
  readonly deps: RegistryDeps;
  readonly handler: HttpHandler;
  /** Calls a route, e.g. `call('POST /models', { body: {...} })`; the actor defaults to alice. */
  readonly call: RouteCaller;
}

/** The registry over a store opened on the fixture's clock (one clock for the store and the core). */
export const registryFixture = (
  openStore: (clock: ManualClock) => MetadataStore,
  options: { clock?: ManualClock; deps?: Partial<RegistryDeps> } = {},
): RegistryFixture => {
  const clock = options.clock ?? manualClock();
  const store = new WriteRecordingStore(openStore(clock));
  const events = new RecordingEventPublisher();
  const deps = { ...registryDeps({ store, events, clock }), ...options.deps };
  const handler = makeRegistryHandler(deps, makeObservability('registry-test'));
  return {
    store,
    events,
    clock,
    deps,
    handler,
    call: routeCaller(handler),
  };
};

/** A valid SHA-256 in hex, different for each seed. */
export const sha = (seed: number | string): string => createHash('sha256').update(String(seed)).digest('hex');

export const versionBody = (seed: number | string = 1, extra: Record<string, unknown> = {}) => ({
  artifactUri: `s3://artifacts/model/${seed}/model.tar.gz`,
  artifactSha256: sha(seed),
  ...extra,
});
