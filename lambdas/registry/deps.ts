import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionFailedError, TransactionConflictError } from '../shared/errors';
import { sortableIdGenerator } from '../shared/ids';
import type { Clock } from '../shared/ports/clock';
import type { EventPublisher, PlatformEvent } from '../shared/ports/event-publisher';
import type { JsonObject, MetadataStore } from '../shared/ports/metadata-store';
import { PENDING_EVENTS_PK } from './keys';

/**
 * Retries bounded in time, with "full jitter" exponential backoff: before try n+1, wait
 * random(0, min(maxDelayMs, baseDelayMs · 2^(n-1))) ms; give up once `budgetMs` would be exceeded.
 */
export interface RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Longest a caller keeps retrying, waits included; then the ConditionFailedError goes out (409). */
  readonly budgetMs: number;
  /** Elapsed-time source in ms; a test passes its own so the budget does not depend on machine speed. */
  readonly now?: () => number;
}

/**
 * Up to 5 s of retrying, waits capped at 100 ms: half the functions' 10 s timeout, far inside API
 * Gateway's 30 s. A time bound rather than a count, because the tail in tries is long: in
 * bench/registry.ts (16 writers × 1000 registrations on one model, every store call yielding to the
 * event loop, so a writer that just committed re-reads ahead of those waking from backoff) the mean was
 * 1.1 tries, but the worst registration of a run needed 30 to 43 tries and up to 2.6 s.
 */
export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1, maxDelayMs: 100, budgetMs: 5_000 };

export interface RegistryDeps {
  readonly store: MetadataStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
  /** Time-sortable ids (ULIDs) for audit and alias-history entries. */
  readonly newId: (atMs?: number) => string;
  readonly retry: RetryPolicy;
  /**
   * Longest the caller waits for the bus after a commit before keeping the events as pending. It keeps
   * a hung bus from holding the response until the function times out, which would leave the
   * Idempotency-Key claim unfinished and let a retry repeat the change. @default 2000
   */
  readonly publishTimeoutMs?: number;
  /** Told when events could not be published after a commit (they are kept as pending instead). */
  readonly onPublishFailure?: (error: unknown, events: readonly PlatformEvent[]) => void;
}

/** Registry deps with a ULID generator on the given clock and the default retry policy. */
export const registryDeps = (
  deps: Pick<RegistryDeps, 'store' | 'events' | 'clock'> &
    Partial<Pick<RegistryDeps, 'retry' | 'onPublishFailure'>>,
): RegistryDeps => ({ retry: DEFAULT_RETRY, ...deps, newId: sortableIdGenerator(deps.clock) });

const isContention = (error: unknown): boolean =>
  error instanceof ConditionFailedError || error instanceof TransactionConflictError;

/**
 * Runs a read-then-conditional-write attempt until it commits. Losing a condition race (another writer
 * changed an item since it was read) means: read again and retry, after a jittered wait so that the
 * losers do not collide again in lock-step. Domain errors thrown by the attempt end the loop at once.
 * Once the time budget is spent, the last ConditionFailedError goes to the caller (409, "retry it").
 */
export const withOptimisticRetry = async <T>(policy: RetryPolicy, attempt: () => Promise<T>): Promise<T> => {
  const now = policy.now ?? (() => performance.now());
  const started = now();
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isContention(error)) throw error;
      const delay = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1));
      if (now() - started + delay > policy.budgetMs) throw error;
      await sleep(delay);
    }
  }
};

/**
 * Publishes events of a change that has committed. A failure must not turn into an error response:
 * the change is stored, and a client that retried a "failed" registration would register twice. The
 * events are kept instead under `events#pending` (one item per failed publish, never expiring) for a
 * relay to send later; if even that write fails, `onPublishFailure` is the last record.
 */
export const publishAfterCommit = async (
  deps: RegistryDeps,
  events: readonly PlatformEvent[],
): Promise<void> => {
  if (events.length === 0) return;
  const timeoutMs = deps.publishTimeoutMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The event bus did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([deps.events.publish(events), deadline]);
  } catch (error) {
    deps.onPublishFailure?.(error, events);
    try {
      await deps.store.put({
        pk: PENDING_EVENTS_PK,
        sk: deps.newId(),
        data: {
          events: events.map((event) => ({ ...event, time: event.time ?? deps.clock.now().toISOString() })),
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          recordedAt: deps.clock.now().toISOString(),
        } as unknown as JsonObject,
        condition: { rev: 0 },
      });
    } catch (recordError) {
      deps.onPublishFailure?.(recordError, events);
    }
  } finally {
    clearTimeout(timer);
  }
};

export const REGISTRY_EVENT_SOURCE = 'mlops.registry';

export const registryEvent = (detailType: string, detail: JsonObject, time: string): PlatformEvent => ({
  source: REGISTRY_EVENT_SOURCE,
  detailType,
  detail,
  time,
});
