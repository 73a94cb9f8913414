/**
 * Idempotency-Key at the HTTP edge, as Stripe and Powertools do it. A write request that carries the
 * header runs at most once per (route, caller, key) while its record lives (24 h by default):
 *
 * - the first request claims the key with a create-only write (`inProgress`), runs, then stores its
 *   response; the same key with the same request again gets that response back, marked
 *   `idempotent-replayed: true`, and nothing runs a second time;
 * - the same key with a different request (params, query or body) is refused: 409 `idempotency-key-reuse`;
 * - while the first request still runs, others are refused: 409 `idempotency-key-in-progress`. A claim
 *   outlives its lock only when its invocation died (Lambda killed it at its timeout); then the next
 *   request takes it over with a conditional write on the claim's revision, so one caller wins;
 * - a 4xx or 5xx outcome releases the key (the claim is deleted), so a corrected retry can run: an
 *   error is not a result worth replaying (Powertools does the same). The price: an implementation that
 *   fails after a partial effect (published, then failed to record) repeats that effect on a retry, so
 *   implementations keep their writes conditional and transactional. Validation 4xx happen before any claim.
 *
 * Records live in the metadata store under a partition of their own per key (a SHA-256 of route,
 * caller and key: any length of caller ARN fits, no hot partition), and expire with its TTL.
 */
import { createHash } from 'node:crypto';
import { ConditionFailedError } from '../errors';
import type { Clock } from '../ports/clock';
import type { ItemKey, JsonObject, MetadataStore } from '../ports/metadata-store';
import { type FieldError, HttpProblemError } from './problem';

/** Request header (lower-cased, as the edge sees headers) that carries the key. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Response header set on a replayed response. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
/** Methods whose routes honour the header; GET, HEAD and DELETE are idempotent by nature. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

export interface IdempotencyOptions {
  /** Where claims and responses are kept: the capability's metadata store. */
  readonly store: MetadataStore;
  readonly clock: Clock;
  /** How long a completed request is replayed, in seconds. @default 86_400 (24 h) */
  readonly ttlSeconds?: number;
  /**
   * How long a claim blocks its key when the invocation's remaining time is unknown, in seconds. With a
   * Lambda context the lock lasts exactly as long as the invocation can.
   * @default 30 — API Gateway's own integration timeout
   */
  readonly lockTimeoutSeconds?: number;
}

/** A response as the edge sends it. */
export interface IdempotentResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  readonly body: string;
}

/** What the guard needs to know about one request. */
export interface IdempotentCall {
  /** API Gateway's route key, e.g. `POST /models`. */
  readonly routeKey: string;
  readonly actor: string;
  /** The header's value, already checked by idempotencyKeyErrors. */
  readonly key: string;
  /** The validated request parts; the fingerprint is taken over these. */
  readonly request: { readonly params?: unknown; readonly query?: unknown; readonly body?: unknown };
  /** Milliseconds until the invocation is stopped (Lambda's `context.getRemainingTimeInMillis()`). */
  readonly remainingMs?: number;
}

/** Where the guard reports what it cannot fix itself (the Powertools logger fits). */
export interface IdempotencyLog {
  warn(message: string, details: Record<string, unknown>): void;
}

const KEY_PATTERN = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;
const DEFAULT_TTL_SECONDS = 24 * 3600;
const DEFAULT_LOCK_TIMEOUT_SECONDS = 30;
// A DynamoDB item holds at most 400 KB; larger bodies are not kept (see #complete).
const MAX_STORED_BODY_BYTES = 350 * 1024;
// Claim, read, take over: each lost race means another request moved the record on; three are plenty.
const MAX_CLAIM_ATTEMPTS = 3;

/** The header's field error, if it is present and malformed: 1 to 255 printable ASCII, no outer blanks. */
export const idempotencyKeyErrors = (headers: Readonly<Record<string, string>>): FieldError[] => {
  const value = headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined || KEY_PATTERN.test(value)) return [];
  return [
    {
      field: `headers.${IDEMPOTENCY_KEY_HEADER}`,
      rule: 'idempotency_key',
      message: 'must be 1 to 255 printable ASCII characters without leading or trailing blanks',
    },
  ];
};

/** JSON with object keys sorted at every depth, so equal requests give equal text; undefined members drop out. */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortedKeys(value)) ?? 'null';

const sortedKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]));
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** SHA-256 of the canonical JSON of params, query and body. */
export const requestFingerprint = (request: IdempotentCall['request']): string =>
  sha256(canonicalJson({ params: request.params, query: request.query, body: request.body }));

/** Where the record of (route, caller, key) lives. */
export const idempotencyRecordKey = (call: Pick<IdempotentCall, 'routeKey' | 'actor' | 'key'>): ItemKey => ({
  pk: `idempotency#${sha256(JSON.stringify([call.routeKey, call.actor, call.key]))}`,
  sk: 'record',
});

type RecordData =
  | { status: 'inProgress'; routeKey: string; fingerprint: string; lockExpiresAt: number }
  | {
      status: 'completed';
      routeKey: string;
      fingerprint: string;
      response: { statusCode: number; headers: Record<string, string>; body?: string };
    };

type StoredRecord = ItemKey & { readonly data: RecordData; readonly expiresAt: number };

type Claim = { readonly rev: number } | { readonly replay: IdempotentResponse };

/** Runs a request at most once per key: see the file comment for the rules. */
export class IdempotencyGuard {
  readonly #store: MetadataStore;
  readonly #clock: Clock;
  readonly #ttlSeconds: number;
  readonly #lockMs: number;
  readonly #log: IdempotencyLog;

  constructor(options: IdempotencyOptions, log: IdempotencyLog = { warn: () => {} }) {
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    const lockTimeoutSeconds = options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new RangeError(`idempotency ttlSeconds must be a positive integer, got ${ttlSeconds}`);
    }
    if (!(lockTimeoutSeconds > 0)) {
      throw new RangeError(`idempotency lockTimeoutSeconds must be positive, got ${lockTimeoutSeconds}`);
    }
    this.#store = options.store;
    this.#clock = options.clock;
    this.#ttlSeconds = ttlSeconds;
    this.#lockMs = lockTimeoutSeconds * 1000;
    this.#log = log;
  }

  /** Answers `call` with `respond()` the first time, and with the stored response after that. */
  async run(call: IdempotentCall, respond: () => Promise<IdempotentResponse>): Promise<IdempotentResponse> {
    const key = idempotencyRecordKey(call);
    const fingerprint = requestFingerprint(call.request);
    const claim = await this.#claim(key, call, fingerprint);
    if ('replay' in claim) return claim.replay;
    let response: IdempotentResponse;
    try {
      response = await respond();
    } catch (error) {
      await this.#release(key, claim.rev);
      throw error;
    }
    if (response.statusCode >= 400) await this.#release(key, claim.rev);
    else await this.#complete(key, claim.rev, call.routeKey, fingerprint, response);
    return response;
  }

  async #claim(key: ItemKey, call: IdempotentCall, fingerprint: string): Promise<Claim> {
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      const now = this.#clock.now().getTime();
      const lockMs =
        call.remainingMs !== undefined && Number.isFinite(call.remainingMs) && call.remainingMs > 0
          ? call.remainingMs
          : this.#lockMs;
      const claim: StoredRecord = {
        ...key,
        data: { status: 'inProgress', routeKey: call.routeKey, fingerprint, lockExpiresAt: now + lockMs },
        expiresAt: this.#expiresAt(now),
      };
      const created = await this.#putIf(claim, 0);
      if (created) return created;

      const current = await this.#store.get<RecordData & JsonObject>(key);
      if (current === undefined) continue; // released or expired in between: claim again
      if (current.data.fingerprint !== fingerprint) {
        throw new HttpProblemError(
          409,
          'idempotency-key-reuse',
          'This Idempotency-Key was used with a different request; use a new key for a new request.',
        );
      }
      if (current.data.status === 'completed') return { replay: replayOf(current.data.response) };
      if (current.data.lockExpiresAt > now) break;
      // The claim's invocation can no longer be running: take it over, unless someone else just did.
      const taken = await this.#putIf(claim, current.rev);
      if (taken) return taken;
    }
    throw new HttpProblemError(
      409,
      'idempotency-key-in-progress',
      'A request with this Idempotency-Key is still in progress; retry it later.',
    );
  }

  /** A conditional put that answers undefined, instead of throwing, when the condition does not hold. */
  async #putIf(put: StoredRecord, rev: number): Promise<{ rev: number } | undefined> {
    try {
      const item = await this.#store.put({
        ...put,
        data: put.data as RecordData & JsonObject,
        condition: { rev },
      });
      return { rev: item.rev };
    } catch (error) {
      if (error instanceof ConditionFailedError) return undefined;
      throw error;
    }
  }

  async #complete(
    key: ItemKey,
    rev: number,
    routeKey: string,
    fingerprint: string,
    response: IdempotentResponse,
  ): Promise<void> {
    const headers = Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)]),
    );
    // Past the item limit only the status and headers are kept: a replay then has no body, which beats
    // a retry running the request a second time.
    const keepBody = Buffer.byteLength(response.body) <= MAX_STORED_BODY_BYTES;
    if (!keepBody) delete headers['content-type'];
    const data: RecordData = {
      status: 'completed',
      routeKey,
      fingerprint,
      response: { statusCode: response.statusCode, headers, ...(keepBody ? { body: response.body } : {}) },
    };
    try {
      await this.#store.put({
        ...key,
        data: data as RecordData & JsonObject,
        expiresAt: this.#expiresAt(this.#clock.now().getTime()),
        condition: { rev },
      });
    } catch (error) {
      // The request took effect: its caller gets the response. Only a retry may run it again, once the
      // claim's lock has run out (or never, if another request took the claim over meanwhile).
      this.#log.warn('idempotency: could not store the response', { routeKey, error: error as Error });
    }
  }

  async #release(key: ItemKey, rev: number): Promise<void> {
    try {
      await this.#store.delete({ ...key, condition: { rev } });
    } catch (error) {
      // Lost the claim to a take-over (ConditionFailedError) or the store failed: the lock runs out anyway.
      if (!(error instanceof ConditionFailedError)) {
        this.#log.warn('idempotency: could not release the key', { error: error as Error });
      }
    }
  }

  #expiresAt(nowMs: number): number {
    return Math.floor(nowMs / 1000) + this.#ttlSeconds;
  }
}

const replayOf = (stored: {
  statusCode: number;
  headers: Record<string, string>;
  body?: string;
}): IdempotentResponse => ({
  statusCode: stored.statusCode,
  headers: { ...stored.headers, [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
  body: stored.body ?? '',
});
