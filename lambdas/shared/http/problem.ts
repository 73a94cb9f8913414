import type { z } from 'zod';
import {
  ConditionFailedError,
  ConflictError,
  ForbiddenError,
  ItemTooLargeError,
  NotFoundError,
  PlatformError,
  TransactionConflictError,
  ValidationError,
} from '../errors';

/** RFC 9457 problem details, as every error response of the API carries them. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Where the request can be found in logs: API Gateway's request id. */
  readonly requestId: string;
  /** For 4xx caused by input: each field at fault and the rule it broke. */
  readonly errors?: readonly FieldError[];
}

export interface FieldError {
  /** Dotted path from the request part: `body.features.0.name`, `query.limit`, `params.name`. */
  readonly field: string;
  /** The rule that failed, as zod names it (`too_small`, `invalid_type`, `invalid_format`, ...) or ours. */
  readonly rule: string;
  readonly message: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'urn:mlops:problem:';

/** An error that already knows its HTTP status (e.g. 415 from the edge itself). Its message is shown. */
export class HttpProblemError extends PlatformError {
  readonly status: number;
  readonly problemType: string;
  constructor(status: number, problemType: string, message: string) {
    super(message);
    this.name = 'HttpProblemError';
    this.status = status;
    this.problemType = problemType;
  }
}

/** Turns zod issues for one request part into field errors; `unrecognized_keys` gives one error per key. */
export const fieldErrorsFromZod = (part: string, error: z.ZodError): FieldError[] =>
  error.issues.flatMap((issue): FieldError[] => {
    const base = [part, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      // A schema may explain its own unknown keys (e.g. "XGBoost calls it eta"); zod's default says less.
      const message = issue.message.startsWith('Unrecognized key') ? 'unknown field' : issue.message;
      return issue.keys.map((key) => ({ field: `${base}.${key}`, rule: issue.code, message }));
    }
    return [{ field: base, rule: issue.code, message: issue.message }];
  });

const TITLES: Readonly<Record<number, string>> = {
  400: 'Invalid request',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  500: 'Internal server error',
};

/**
 * Maps any thrown value to problem details. Only errors the platform raised on purpose show their
 * message; anything else becomes a 500 that shows nothing but the request id.
 */
export const problemFromError = (error: unknown, requestId: string): ProblemDetails => {
  const make = (
    status: number,
    kind: string,
    detail: string,
    errors?: readonly FieldError[],
  ): ProblemDetails => ({
    type: `${PROBLEM_TYPE_BASE}${kind}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    requestId,
    ...(errors ? { errors } : {}),
  });
  if (error instanceof ValidationError) {
    return make(400, 'validation', 'The request breaks one or more rules; see errors.', error.issues);
  }
  if (error instanceof HttpProblemError) return make(error.status, error.problemType, error.message);
  if (error instanceof ForbiddenError) return make(403, 'forbidden', error.message);
  if (error instanceof ItemTooLargeError) return make(413, 'item-too-large', error.message);
  if (error instanceof NotFoundError) return make(404, 'not-found', error.message);
  if (error instanceof ConflictError) {
    // A conflict may list what conflicts (e.g. each breaking difference of a feature group definition).
    const issues = (error as ConflictError & { issues?: readonly FieldError[] }).issues;
    return make(409, 'conflict', error.message, Array.isArray(issues) ? issues : undefined);
  }
  if (error instanceof ConditionFailedError || error instanceof TransactionConflictError) {
    return make(409, 'concurrent-modification', 'The resource changed while the request ran; retry it.');
  }
  return make(
    500,
    'internal',
    `An unexpected error occurred. Quote request id ${requestId} when reporting it.`,
  );
};
