/** Errors of monitoring; each extends the platform error whose HTTP status it gets at the edge. */
import { ConflictError, NotFoundError } from '../shared/errors';

export class MonitorNotFoundError extends NotFoundError {
  constructor(name: string) {
    super(`Monitor ${name} does not exist.`);
    this.name = 'MonitorNotFoundError';
  }
}

export class MonitorExistsError extends ConflictError {
  constructor(name: string, options?: { cause?: unknown }) {
    super(`Monitor ${name} already exists.`, options);
    this.name = 'MonitorExistsError';
  }
}

export class ReportNotFoundError extends NotFoundError {
  constructor(monitor: string, id: string) {
    super(`Monitor ${monitor} has no report ${id}.`);
    this.name = 'ReportNotFoundError';
  }
}

/** A run cannot start: no version to monitor, or no baseline for it. Recorded as a failed run. */
export class MonitorRunError extends ConflictError {
  constructor(message: string) {
    super(message);
    this.name = 'MonitorRunError';
  }
}
