import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { PlatformError } from '../../errors';
import type { EventPublisher, PlatformEvent } from '../../ports/event-publisher';
import { requestsOf, toEventEntry } from '../event-checks';

export interface EventBridgeEventPublisherOptions {
  /** Name or ARN of the bus. @default 'default' */
  readonly eventBusName?: string;
  readonly client?: EventBridgeClient;
  /** Rounds of re-sending the entries EventBridge failed with a retryable code. @default 3 */
  readonly retries?: number;
  /** Pause before the first round, doubled before each next one. @default 100 */
  readonly backoffMs?: number;
  /** @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Events EventBridge did not take; `failures` names each one's detail type and EventBridge's code. */
export class EventPublishError extends PlatformError {
  readonly failures: readonly { detailType: string; errorCode: string; errorMessage?: string }[];
  constructor(message: string, failures: EventPublishError['failures']) {
    super(message);
    this.name = 'EventPublishError';
    this.failures = failures;
  }
}

// EventBridge documents InternalFailure and ThrottlingException as retryable and these as not; a code it
// adds later is retried, which costs a few rounds at worst.
const PERMANENT_CODES = new Set([
  'AccessDeniedException',
  'InvalidAccountIdException',
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

type Failure = { entry: PutEventsRequestEntry; result: PutEventsResultEntry | undefined };

/**
 * Publishes platform events to an EventBridge bus with PutEvents. Every event is checked before the
 * first request, so a batch with one bad event sends nothing. Requests hold at most 10 entries and
 * 256 KB and go out one after another, in order. Entries EventBridge fails (FailedEntryCount > 0) are
 * sent again, alone, with backoff; what still fails after the retries, or fails for good, is thrown.
 */
export class EventBridgeEventPublisher implements EventPublisher {
  readonly #busName: string;
  readonly #client: EventBridgeClient;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: EventBridgeEventPublisherOptions = {}) {
    const retries = options.retries ?? 3;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError('retries must be an integer >= 0');
    this.#busName = options.eventBusName ?? 'default';
    this.#client = options.client ?? new EventBridgeClient({});
    this.#retries = retries;
    this.#backoffMs = options.backoffMs ?? 100;
    this.#sleep = options.sleep ?? ((ms) => sleepFor(ms));
  }

  async publish(events: readonly PlatformEvent[]): Promise<void> {
    const entries = events.map(toEventEntry);
    for (const request of requestsOf(entries)) {
      await this.#put(
        request.map((entry) => ({
          EventBusName: this.#busName,
          Source: entry.source,
          DetailType: entry.detailType,
          Detail: entry.detail,
          ...(entry.time ? { Time: entry.time } : {}),
        })),
      );
    }
  }

  async #put(entries: PutEventsRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let round = 0; ; round++) {
      const out = await this.#client.send(new PutEventsCommand({ Entries: pending }));
      if (!out?.FailedEntryCount) return;
      const failures = failuresOf(pending, out.Entries);
      const permanent = failures.some((f) => PERMANENT_CODES.has(f.result?.ErrorCode ?? ''));
      if (permanent || round >= this.#retries) {
        const described = failures.map((f) => ({
          detailType: f.entry.DetailType ?? '',
          errorCode: f.result?.ErrorCode ?? 'Unknown',
          ...(f.result?.ErrorMessage ? { errorMessage: f.result.ErrorMessage } : {}),
        }));
        const codes = [...new Set(described.map((d) => d.errorCode))].join(', ');
        throw new EventPublishError(
          `EventBridge did not take ${failures.length} event(s) after ${round + 1} attempt(s): ${codes}`,
          described,
        );
      }
      await this.#sleep(this.#backoffMs * 2 ** round);
      pending = failures.map((f) => f.entry);
    }
  }
}

/**
 * The entries that failed: results follow the request's order, one each. A response that counts
 * failures without saying which leaves every entry of the request failed.
 */
const failuresOf = (
  pending: PutEventsRequestEntry[],
  results: PutEventsResultEntry[] | undefined,
): Failure[] => {
  const paired = pending.map((entry, index) => ({ entry, result: results?.[index] }));
  const failed = paired.filter((pair) => pair.result?.ErrorCode !== undefined);
  return failed.length > 0 ? failed : paired;
};
