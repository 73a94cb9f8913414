import { setTimeout as sleep } from 'node:timers/promises';
import { ConditionFailedError, TransactionConflictError } from './errors';

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

export const isContention = (error: unknown): boolean =>
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
