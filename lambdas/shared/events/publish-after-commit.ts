/**
 * The after-commit outbox of every capability: events of a change are published once the change is
 * stored, and kept as pending items when the bus fails, for a relay to send later.
 *
 * | item                  | pk                                  | sk                      |
 * | --------------------- | ----------------------------------- | ----------------------- |
 * | events not published  | events#pending                      | {ULID}                  |
 */
import type { Clock } from '../ports/clock';
import type { EventPublisher, PlatformEvent } from '../ports/event-publisher';
import type { JsonObject, MetadataStore } from '../ports/metadata-store';

export const PENDING_EVENTS_PK = 'events#pending';

export interface AfterCommitDeps {
  readonly store: MetadataStore;
  readonly events: EventPublisher;
  readonly clock: Clock;
  /** Time-sortable ids (ULIDs): the sort keys of pending events. */
  readonly newId: (atMs?: number) => string;
  /**
   * Longest the caller waits for the bus after a commit before keeping the events as pending. It keeps
   * a hung bus from holding the response until the function times out, which would leave the
   * Idempotency-Key claim unfinished and let a retry repeat the change. @default 2000
   */
  readonly publishTimeoutMs?: number;
  /** Told when events could not be published after a commit (they are kept as pending instead). */
  readonly onPublishFailure?: (error: unknown, events: readonly PlatformEvent[]) => void;
}

/**
 * Publishes events of a change that has committed. A failure must not turn into an error response:
 * the change is stored, and a client that retried a "failed" registration would register twice. The
 * events are kept instead under `events#pending` (one item per failed publish, never expiring) for a
 * relay to send later; if even that write fails, `onPublishFailure` is the last record.
 */
export const publishAfterCommit = async (
  deps: AfterCommitDeps,
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
