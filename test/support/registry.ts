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
import type { Clock } from '../../lambdas/shared/ports/clock';
import type { EventPublisher, PlatformEvent } from '../../lambdas/shared/ports/event-publisher';
import type {
  DeleteOp,
  Item,
  ItemKey,
  JsonObject,
  MetadataStore,
  Page,
  PutOp,
  QueryOptions,
  WriteOp,
} from '../../lambdas/shared/ports/metadata-store';
import { httpEvent, lambdaContext } from './http';

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

export interface ManualClock extends Clock {
  advance(ms: number): void;
}

export const manualClock = (iso = '2026-11-28T10:00:00.000Z'): ManualClock => {
  let now = Date.parse(iso);
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
};

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
}

export interface Response {
  readonly status: number;
  readonly contentType: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON.
  readonly json: any;
}

export interface RegistryFixture {
  readonly store: WriteRecordingStore;
  readonly events: RecordingEventPublisher;
  readonly clock: ManualClock;
  readonly deps: RegistryDeps;
  readonly handler: HttpHandler;
  /** Calls a route, e.g. `call('POST /models', { body: {...} })`; the actor defaults to alice. */
  call(
    routeKey: string,
    request?: {
      params?: Record<string, string | number>;
      query?: Record<string, string>;
      body?: unknown;
      actor?: string;
    },
  ): Promise<Response>;
}

export const registryFixture = (
  inner: MetadataStore,
  options: { clock?: ManualClock; deps?: Partial<RegistryDeps> } = {},
): RegistryFixture => {
  const store = new WriteRecordingStore(inner);
  const events = new RecordingEventPublisher();
  const clock = options.clock ?? manualClock();
  const deps = { ...registryDeps({ store, events, clock }), ...options.deps };
  const handler = makeRegistryHandler(deps, makeObservability('registry-test'));
  return {
    store,
    events,
    clock,
    deps,
    handler,
    async call(routeKey, request = {}) {
      const pathParameters = Object.fromEntries(
        Object.entries(request.params ?? {}).map(([key, value]) => [key, String(value)]),
      );
      const event = httpEvent(routeKey, {
        pathParameters,
        ...(request.query ? { queryStringParameters: request.query } : {}),
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        headers: { 'content-type': 'application/json', 'x-mlops-actor': request.actor ?? 'alice' },
      });
      const response = await handler(event, lambdaContext);
      return {
        status: response.statusCode,
        contentType: response.headers?.['content-type'] as string | undefined,
        json: response.body ? JSON.parse(response.body) : undefined,
      };
    },
  };
};

/** A valid SHA-256 in hex, different for each seed. */
export const sha = (seed: number | string): string => createHash('sha256').update(String(seed)).digest('hex');

export const versionBody = (seed: number | string = 1, extra: Record<string, unknown> = {}) => ({
  artifactUri: `s3://artifacts/model/${seed}/model.tar.gz`,
  artifactSha256: sha(seed),
  ...extra,
});
