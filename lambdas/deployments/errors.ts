/** Errors of the deployments capability; each extends the platform error whose status it should get. */
import { ConflictError, NotFoundError } from '../shared/errors';

export class EndpointNotFoundError extends NotFoundError {
  constructor(name: string) {
    super(`Endpoint ${name} does not exist.`);
    this.name = 'EndpointNotFoundError';
  }
}

export class DeploymentNotFoundError extends NotFoundError {
  constructor(endpoint: string, id: string) {
    super(`Endpoint ${endpoint} has no deployment ${id}.`);
    this.name = 'DeploymentNotFoundError';
  }
}

export class EndpointExistsError extends ConflictError {
  constructor(name: string, options?: { cause?: unknown }) {
    super(`Endpoint ${name} already exists.`, options);
    this.name = 'EndpointExistsError';
  }
}

/** A version that may not take the traffic asked for (not Approved for production, Archived, ...). */
export class VersionNotServableError extends ConflictError {
  readonly status: string;
  constructor(message: string, status: string) {
    super(message);
    this.name = 'VersionNotServableError';
    this.status = status;
  }
}

/** The endpoint's state refuses the change (a deployment in progress, nothing to roll back to, ...). */
export class EndpointStateError extends ConflictError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EndpointStateError';
  }
}
