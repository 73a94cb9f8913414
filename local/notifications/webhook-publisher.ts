/**
 * The local stand-in for SNS HTTP(S) subscriptions: each notification is POSTed as JSON to every
 * configured webhook. Delivery is at least once, as with SNS: a retry after a timeout may deliver
 * twice, so receivers deduplicate on the `x-mlops-notification-id` header.
 *
 * Retried with exponential backoff: network errors, timeouts, 5xx and 429 (a receiver asking us to
 * slow down is not refusing the message). Not retried: other 4xx and 3xx (redirects are not followed:
 * fetch would turn the POST into a GET). A webhook that stays down is reported to onDeliveryFailure;
 * publish() itself never fails because of one, so a dead receiver cannot break the caller's work.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { PlatformError } from '../../lambdas/shared/errors';
import type { Notification, NotificationPublisher } from '../../lambdas/shared/ports/notification-publisher';

/** A webhook that did not take a notification; the message names the URL's origin only (paths hold secrets). */
export class WebhookDeliveryError extends PlatformError {
  readonly url: string;
  readonly attempts: number;
  readonly status: number | undefined;
  constructor(message: string, options: { url: string; attempts: number; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'WebhookDeliveryError';
    this.url = options.url;
    this.attempts = options.attempts;
    this.status = options.status;
  }
}

export interface WebhookNotificationPublisherOptions {
  readonly urls: readonly string[];
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Per attempt. @default 5000 */
  readonly timeoutMs?: number;
  /** Attempts after the first. @default 3 */
  readonly retries?: number;
  /** Pause before the first retry, doubled before each next one. @default 250 */
  readonly backoffMs?: number;
  /** @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default logs to console.error */
  readonly onDeliveryFailure?: (url: string, error: WebhookDeliveryError) => void;
}

type Attempt =
  | { ok: true }
  | { ok: false; retryable: boolean; message: string; status?: number; cause?: unknown };

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in its cause. */
function describeNetworkError(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message} (${code})` : message;
}

export class WebhookNotificationPublisher implements NotificationPublisher {
  readonly #urls: readonly string[];
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onDeliveryFailure: (url: string, error: WebhookDeliveryError) => void;

  constructor(options: WebhookNotificationPublisherOptions) {
    const retries = options.retries ?? 3;
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError('retries must be an integer >= 0');
    if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be > 0');
    this.#urls = [...options.urls];
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = timeoutMs;
    this.#retries = retries;
    this.#backoffMs = options.backoffMs ?? 250;
    this.#sleep = options.sleep ?? ((ms) => sleepFor(ms));
    this.#onDeliveryFailure =
      options.onDeliveryFailure ?? ((_url, error) => console.error(`${error.name}: ${error.message}`));
  }

  /** Delivers to every webhook in parallel; settles when each has taken it or given up. */
  async publish(notification: Notification): Promise<void> {
    const body = JSON.stringify(notification);
    await Promise.all(this.#urls.map((url) => this.#deliver(url, body, notification)));
  }

  async #deliver(url: string, body: string, notification: Notification): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(url, body, notification);
      if (outcome.ok) return;
      if (!outcome.retryable || attempt > this.#retries) {
        this.#report(
          url,
          new WebhookDeliveryError(`${outcome.message} (attempt ${attempt})`, {
            url,
            attempts: attempt,
            status: outcome.status,
            cause: outcome.cause,
          }),
        );
        return;
      }
      await this.#sleep(this.#backoffMs * 2 ** (attempt - 1));
    }
  }

  async #attempt(url: string, body: string, notification: Notification): Promise<Attempt> {
    const origin = originOf(url);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    try {
      const response = await this.#fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-mlops-notification-type': notification.type,
          'x-mlops-notification-id': notification.id,
        },
        body,
        redirect: 'manual',
        signal: controller.signal,
      });
      // The answer's body is not needed; cancelling it frees the connection.
      await response.body?.cancel().catch(() => {});
      if (response.ok) return { ok: true };
      const retryable = response.status >= 500 || response.status === 429;
      return {
        ok: false,
        retryable,
        status: response.status,
        message: `webhook ${origin} answered ${response.status}`,
      };
    } catch (error) {
      const message = controller.signal.aborted
        ? `webhook ${origin} did not answer within ${this.#timeoutMs} ms`
        : `webhook ${origin} is unreachable: ${describeNetworkError(error)}`;
      return { ok: false, retryable: true, message, cause: error };
    } finally {
      clearTimeout(timer);
    }
  }

  #report(url: string, error: WebhookDeliveryError): void {
    try {
      this.#onDeliveryFailure(url, error);
    } catch {
      // A failing reporter must not turn one dead webhook into a failed publish.
    }
  }
}
