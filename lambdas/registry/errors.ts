/**
 * Errors of the model registry. Each extends the platform error whose HTTP status it should get at the
 * edge (404, 409, 403); the message is shown to the caller, so it says what is wrong and why.
 */
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors';
import type { VersionStatus } from './schemas';

export class ModelNotFoundError extends NotFoundError {
  constructor(name: string) {
    super(`Model ${name} does not exist.`);
    this.name = 'ModelNotFoundError';
  }
}

export class ModelVersionNotFoundError extends NotFoundError {
  constructor(name: string, version: number) {
    super(`Model ${name} has no version ${version}.`);
    this.name = 'ModelVersionNotFoundError';
  }
}

export class AliasNotFoundError extends NotFoundError {
  constructor(message: string) {
    super(message);
    this.name = 'AliasNotFoundError';
  }
}

export class ModelExistsError extends ConflictError {
  constructor(name: string, options?: { cause?: unknown }) {
    super(`Model ${name} already exists.`, options);
    this.name = 'ModelExistsError';
  }
}

/** A decision the version's current status does not allow (e.g. approving a Rejected version). */
export class VersionStatusError extends ConflictError {
  readonly status: VersionStatus;
  constructor(message: string, status: VersionStatus) {
    super(message);
    this.name = 'VersionStatusError';
    this.status = status;
  }
}

/** Archiving a version that an alias still points at. */
export class AliasInUseError extends ConflictError {
  readonly aliases: readonly string[];
  constructor(name: string, version: number, aliases: readonly string[]) {
    super(
      `Version ${version} of model ${name} cannot be archived: alias${aliases.length > 1 ? 'es' : ''} ${aliases.join(', ')} point${aliases.length > 1 ? '' : 's'} at it. Move ${aliases.length > 1 ? 'them' : 'it'} first.`,
    );
    this.name = 'AliasInUseError';
    this.aliases = aliases;
  }
}

/** Pointing a protected alias (champion, ...) at a version that is not Approved, or any alias at an Archived one. */
export class AliasTargetError extends ConflictError {
  constructor(message: string) {
    super(message);
    this.name = 'AliasTargetError';
  }
}

/** The model names its approvers and the caller is not one of them. */
export class NotAnApproverError extends ForbiddenError {
  constructor(name: string, actor: string, action: string) {
    super(`${actor} may not ${action}: model ${name} lists its approvers, and ${actor} is not one of them.`);
    this.name = 'NotAnApproverError';
  }
}
