/**
 * Fixtures for feature store tests: the features HTTP handler over a given MetadataStore, a manual
 * clock, a recording offline sink, and a store wrapper that counts round trips and records writes.
 */
import { makeFeaturesHandler } from '../../lambdas/features/app';
import { type FeaturesDeps, featuresDeps } from '../../lambdas/features/deps';
import type { HttpHandler } from '../../lambdas/shared/http/handler';
import { makeObservability } from '../../lambdas/shared/observability';
import type { FeatureGroupVersion } from '../../lambdas/shared/ports/feature-group-version';
import type {
  ItemKey,
  JsonObject,
  MetadataStore,
  NewerPutOp,
  RecencyOrder,
  WriteOp,
} from '../../lambdas/shared/ports/metadata-store';
import type { OfflineSink } from '../../lambdas/shared/ports/offline-sink';
import { type ManualClock, manualClock } from './clock';
import { type RouteCaller, routeCaller } from './http';
import { WriteRecordingStore } from './registry';

export class RecordingOfflineSink implements OfflineSink {
  readonly appended: { group: FeatureGroupVersion; records: readonly Record<string, unknown>[] }[] = [];
  async append(group: FeatureGroupVersion, records: readonly Record<string, unknown>[]): Promise<void> {
    this.appended.push({ group, records });
  }
  records(): Record<string, unknown>[] {
    return this.appended.flatMap((a) => [...a.records]);
  }
}

/** Counts store calls by kind, and the size of each transaction, on top of recording writes. */
export class CountingStore extends WriteRecordingStore {
  readonly calls = { get: 0, batchGet: 0, query: 0, put: 0, transact: 0, putIfNewer: 0 };
  readonly transactionSizes: number[] = [];
  /** Items per putIfNewer call. */
  readonly newerPutSizes: number[] = [];
  override get<T extends JsonObject = JsonObject>(key: ItemKey) {
    this.calls.get++;
    return super.get<T>(key);
  }
  override batchGet<T extends JsonObject = JsonObject>(keys: readonly ItemKey[]) {
    this.calls.batchGet++;
    return super.batchGet<T>(keys);
  }
  override query<T extends JsonObject = JsonObject>(
    pk: string,
    options?: Parameters<MetadataStore['query']>[1],
  ) {
    this.calls.query++;
    return super.query<T>(pk, options);
  }
  override put<T extends JsonObject>(op: Parameters<MetadataStore['put']>[0] & { data: T }) {
    this.calls.put++;
    return super.put<T>(op);
  }
  override putIfNewer(ops: readonly NewerPutOp[], order: RecencyOrder) {
    this.calls.putIfNewer++;
    this.newerPutSizes.push(ops.length);
    return super.putIfNewer(ops, order);
  }
  override transact(ops: readonly WriteOp[]) {
    this.calls.transact++;
    this.transactionSizes.push(ops.length);
    return super.transact(ops);
  }
  resetCounts(): void {
    for (const key of Object.keys(this.calls) as (keyof typeof this.calls)[]) this.calls[key] = 0;
    this.transactionSizes.length = 0;
    this.newerPutSizes.length = 0;
  }
}

export interface FeaturesFixture {
  readonly store: CountingStore;
  readonly clock: ManualClock;
  readonly offline: RecordingOfflineSink;
  readonly deps: FeaturesDeps;
  readonly handler: HttpHandler;
  readonly call: RouteCaller;
}

/** The feature store over a store opened on the fixture's clock (one clock for the store and the core). */
export const featuresFixture = (
  openStore: (clock: ManualClock) => MetadataStore,
  options: { clock?: ManualClock; deps?: Partial<FeaturesDeps> } = {},
): FeaturesFixture => {
  const clock = options.clock ?? manualClock();
  const store = new CountingStore(openStore(clock));
  const offline = new RecordingOfflineSink();
  const deps = { ...featuresDeps({ store, clock, offline }), ...options.deps };
  const handler = makeFeaturesHandler(deps, makeObservability('features-test'));
  return {
    store,
    clock,
    offline,
    deps,
    handler,
    call: routeCaller(handler),
  };
};

/** A small group: customer × event time, three features, TTL one hour unless overridden. */
export const groupBody = (extra: Record<string, unknown> = {}) => ({
  name: 'customer',
  description: 'customer activity',
  owner: 'data-team',
  entityKeys: ['customer_id'],
  eventTimeField: 'ts',
  features: [
    { name: 'spend', type: 'float', min: 0 },
    { name: 'orders', type: 'int', nullable: false },
    { name: 'tier', type: 'string', allowed: ['gold', 'silver'] },
  ],
  ttlSeconds: 3600,
  ...extra,
});

export const record = (id: number | string, ts: string, extra: Record<string, unknown> = {}) => ({
  customer_id: id,
  ts,
  spend: 10.5,
  orders: 3,
  tier: 'gold',
  ...extra,
});
