/**
 * The local stand-in for EventBridge: events are checked as EventBridge would check them, kept in the
 * metadata store (partition `events`, newest last by ULID, 90 days), then handed to every subscriber
 * whose pattern matches — in the envelope EventBridge gives rule targets (`detail-type`, `source`,
 * `detail`, ...), so a subscriber written for the cloud reads the same fields here.
 *
 * Delivery is asynchronous, as with EventBridge: publish() returns once the events are recorded, and
 * subscribers run afterwards; drain() waits for them (tests, shutdown). A subscriber that throws is
 * reported to onSubscriberFailure and does not keep the others from their copy of the event.
 */
import { toEventEntry } from '../../lambdas/shared/adapters/event-checks';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import type { Clock } from '../../lambdas/shared/ports/clock';
import type { EventPublisher, PlatformEvent } from '../../lambdas/shared/ports/event-publisher';
import {
  type JsonObject,
  MAX_TRANSACTION_OPS,
  type MetadataStore,
  type Page,
} from '../../lambdas/shared/ports/metadata-store';
import { assertEventPattern, type EventPattern, matchesPattern } from './event-pattern';

/** Partition of the metadata store that keeps every event published: the bus's history. */
export const EVENTS_PK = 'events';
const RETENTION_SECONDS = 90 * 24 * 3600;

/** An event as EventBridge delivers it to a rule's target. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: JsonObject;
}

export type EventSubscriber = (event: BusEvent) => Promise<void> | void;

export interface SubscriberFailure {
  readonly subscription: string;
  readonly event: BusEvent;
  readonly error: unknown;
}

export interface LocalEventBusOptions {
  readonly store: MetadataStore;
  /** Stamps events and their outbox expiry: the composition root's one time source. */
  readonly clock: Clock;
  /** How long the history keeps an event. @default 90 days */
  readonly retentionSeconds?: number;
  /** @default a warning on the console */
  readonly onSubscriberFailure?: (failure: SubscriberFailure) => void;
  /** Shown in envelopes, where EventBridge puts the account and region. @default '000000000000', 'local' */
  readonly account?: string;
  readonly region?: string;
}

interface Subscription {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly subscriber: EventSubscriber;
}

export class LocalEventBus implements EventPublisher {
  readonly #store: MetadataStore;
  readonly #clock: Clock;
  readonly #retentionSeconds: number;
  readonly #onFailure: (failure: SubscriberFailure) => void;
  readonly #account: string;
  readonly #region: string;
  readonly #newId: () => string;
  readonly #subscriptions = new Set<Subscription>();
  readonly #deliveries = new Set<Promise<void>>();

  constructor(options: LocalEventBusOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#retentionSeconds = options.retentionSeconds ?? RETENTION_SECONDS;
    this.#onFailure =
      options.onSubscriberFailure ??
      ((f) =>
        console.warn(
          `event subscriber ${f.subscription} failed on ${f.event['detail-type']}: ${String(f.error)}`,
        ));
    this.#account = options.account ?? '000000000000';
    this.#region = options.region ?? 'local';
    this.#newId = sortableIdGenerator(this.#clock);
  }

  /**
   * Calls `subscriber` with every event published from now on that matches `pattern` (an EventBridge
   * event pattern; refused with a ValidationError if malformed). Returns the unsubscribe function.
   */
  subscribe(name: string, pattern: EventPattern, subscriber: EventSubscriber): () => void {
    assertEventPattern(pattern);
    const subscription: Subscription = { name, pattern: structuredClone(pattern), subscriber };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  /** Records the events (all checked first, then at most 100 per store transaction) and starts delivery. */
  async publish(events: readonly PlatformEvent[]): Promise<void> {
    const entries = events.map(toEventEntry);
    for (let start = 0; start < entries.length; start += MAX_TRANSACTION_OPS) {
      const now = this.#clock.now();
      const expiresAt = Math.floor(now.getTime() / 1000) + this.#retentionSeconds;
      const envelopes: BusEvent[] = entries.slice(start, start + MAX_TRANSACTION_OPS).map((entry) => ({
        version: '0',
        id: this.#newId(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.#account,
        time: (entry.time ?? now).toISOString(),
        region: this.#region,
        resources: [],
        detail: JSON.parse(entry.detail) as JsonObject,
      }));
      await this.#store.transact(
        envelopes.map((envelope) => ({
          kind: 'put' as const,
          pk: EVENTS_PK,
          sk: envelope.id,
          data: envelope as unknown as JsonObject,
          expiresAt,
          condition: { rev: 0 },
        })),
      );
      this.#track(this.#deliver(envelopes));
    }
  }

  /** Waits until every delivery started so far (and any it caused) has finished. */
  async drain(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.allSettled([...this.#deliveries]);
  }

  /** Recorded events, newest first. */
  async list(page: { limit?: number; cursor?: string } = {}): Promise<Page<BusEvent>> {
    const result = await this.#store.query(EVENTS_PK, { ...page, descending: true });
    return {
      items: result.items.map((item) => item.data as unknown as BusEvent),
      ...(result.cursor ? { cursor: result.cursor } : {}),
    };
  }

  /** Events in order; each goes to its matching subscribers together, each subscriber with its own copy. */
  async #deliver(envelopes: readonly BusEvent[]): Promise<void> {
    // Let publish() and its caller go on first, as PutEvents returns before any target runs.
    await new Promise((resolve) => setImmediate(resolve));
    for (const envelope of envelopes) {
      const matching = [...this.#subscriptions].filter((s) => matchesPattern(s.pattern, envelope));
      await Promise.all(
        matching.map(async (subscription) => {
          try {
            await subscription.subscriber(structuredClone(envelope));
          } catch (error) {
            this.#report({ subscription: subscription.name, event: envelope, error });
          }
        }),
      );
    }
  }

  #track(delivery: Promise<void>): void {
    this.#deliveries.add(delivery);
    void delivery.finally(() => this.#deliveries.delete(delivery));
  }

  #report(failure: SubscriberFailure): void {
    try {
      this.#onFailure(failure);
    } catch {
      // A failing reporter must not turn one broken subscriber into a lost delivery for the others.
    }
  }
}
