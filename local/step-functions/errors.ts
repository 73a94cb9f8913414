import { ConflictError, NotFoundError, PlatformError } from '../../lambdas/shared/errors';

/** A state machine definition that cannot run: unresolved placeholder, bad JSON, invalid ASL, no task handler. */
export class StateMachineDefinitionError extends PlatformError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateMachineDefinitionError';
  }
}

/** StartExecution with a name already used by a closed execution, or by a running one with other input. */
export class ExecutionAlreadyExistsError extends ConflictError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExecutionAlreadyExistsError';
  }
}

export class ExecutionDoesNotExistError extends NotFoundError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExecutionDoesNotExistError';
  }
}
