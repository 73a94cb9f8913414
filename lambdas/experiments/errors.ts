/**
 * Errors of experiment tracking. Each extends the shared class the HTTP edge maps to a status
 * (404 NotFoundError, 409 ConflictError, 400 ValidationError), so the edge needs no capability code.
 */
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';

export class ExperimentNotFoundError extends NotFoundError {
  constructor(experimentId: string) {
    super(`No experiment ${experimentId}.`);
    this.name = 'ExperimentNotFoundError';
  }
}

export class RunNotFoundError extends NotFoundError {
  constructor(runId: string) {
    super(`No run ${runId}.`);
    this.name = 'RunNotFoundError';
  }
}

export class ModelVersionNotFoundError extends NotFoundError {
  constructor(model: string, version: number) {
    super(`No version ${version} of model ${model}.`);
    this.name = 'ModelVersionNotFoundError';
  }
}

export class DuplicateExperimentNameError extends ConflictError {
  constructor(name: string, options?: { cause?: unknown }) {
    super(`An experiment named "${name}" exists already.`, options);
    this.name = 'DuplicateExperimentNameError';
  }
}

/** A param is immutable once logged (as in MLflow): the same value again is fine, another is not. */
export class ParamValueConflictError extends ConflictError {
  readonly keys: readonly string[];
  constructor(runId: string, keys: readonly string[]) {
    super(
      `Params are immutable once logged; run ${runId} already holds another value for ${keys
        .map((key) => `"${key}"`)
        .join(', ')}.`,
    );
    this.name = 'ParamValueConflictError';
    this.keys = keys;
  }
}

/** The run's status forbids the change, e.g. finishing a run that already finished. */
export class RunStateError extends ConflictError {
  constructor(message: string) {
    super(message);
    this.name = 'RunStateError';
  }
}

/**
 * A filter or an order-by clause that cannot be parsed or breaks a typing rule; `field` is
 * `body.filter` or `body.orderBy.<i>` and `position` the 1-based character where the problem starts.
 */
export class SearchSyntaxError extends ValidationError {
  readonly position: number;
  constructor(field: string, position: number, message: string) {
    super([{ field, rule: 'search_syntax', message: `${message} (at character ${position})` }]);
    this.name = 'SearchSyntaxError';
    this.position = position;
  }
}

/** A run item would outgrow what DynamoDB holds in one item. */
export class RunTooLargeError extends ValidationError {
  constructor(field: string, bytes: number, maxBytes: number) {
    super([
      {
        field,
        rule: 'run_size',
        message: `the run would hold ${bytes} bytes of params, tags and metrics; at most ${maxBytes} fit`,
      },
    ]);
    this.name = 'RunTooLargeError';
  }
}
