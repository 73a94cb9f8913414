/** Base of every error the platform raises on purpose; the HTTP edge maps subclasses to status codes. */
export class PlatformError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlatformError';
  }
}

/** A conditional write lost: the item changed (or existed, or was missing) since the caller read it. */
export class ConditionFailedError extends PlatformError {
  /** Index of the failing operation inside a transaction, when the store can tell. */
  readonly failedIndex: number | undefined;
  constructor(message: string, options?: { cause?: unknown; failedIndex?: number }) {
    super(message, options);
    this.name = 'ConditionFailedError';
    this.failedIndex = options?.failedIndex;
  }
}

/** Input that breaks a documented rule; `field` is a JSON-pointer-like path such as `body.name`. */
export class ValidationError extends PlatformError {
  readonly issues: readonly { field: string; rule: string; message: string }[];
  constructor(
    issues: readonly { field: string; rule: string; message: string }[],
    options?: { cause?: unknown },
  ) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; ') || 'invalid input', options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export class NotFoundError extends PlatformError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

/** The request is well-formed but contradicts the current state (duplicate name, protected alias, ...). */
export class ConflictError extends PlatformError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** The caller is known but may not do this (e.g. decide an approval without being a listed approver). */
export class ForbiddenError extends PlatformError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

/**
 * A transaction kept colliding with other transactions on the same items (DynamoDB's
 * TransactionConflict) after the store's own retries. Nothing was written; the caller may retry.
 */
export class TransactionConflictError extends PlatformError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransactionConflictError';
  }
}

/** A write would exceed what one stored item may hold (DynamoDB's 400 KB), on every adapter alike. */
export class ItemTooLargeError extends PlatformError {
  readonly bytes: number;
  constructor(bytes: number, limit: number) {
    super(`The resource would take ${bytes} bytes as stored; one item holds at most ${limit}.`);
    this.name = 'ItemTooLargeError';
    this.bytes = bytes;
  }
}

/**
 * A stored item does not have the shape its reader knows (a field missing or of another type): the
 * platform's own fault, never the caller's, so the edge answers 500 with the request id only. The
 * message names the item's key and each field at fault, for the logs.
 */
export class StoredShapeError extends PlatformError {
  readonly shape: string;
  readonly pk: string;
  readonly sk: string;
  /** Each field at fault, as a path inside the item (`data.latest.version`). */
  readonly fields: readonly { field: string; message: string }[];
  constructor(
    shape: string,
    key: { readonly pk: string; readonly sk: string },
    fields: readonly { field: string; message: string }[],
  ) {
    const faults = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    super(`Stored ${shape} at pk=${key.pk} sk=${key.sk} does not have its shape: ${faults}`);
    this.name = 'StoredShapeError';
    this.shape = shape;
    this.pk = key.pk;
    this.sk = key.sk;
    this.fields = fields;
  }
}
