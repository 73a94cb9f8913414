/** Errors of the feature store; each extends the platform error whose HTTP status it gets at the edge. */
import { ConflictError, NotFoundError } from '../shared/errors';

export class FeatureGroupNotFoundError extends NotFoundError {
  constructor(name: string, version?: number) {
    super(
      version === undefined
        ? `Feature group ${name} does not exist.`
        : `Feature group ${name} has no version ${version}.`,
    );
    this.name = 'FeatureGroupNotFoundError';
  }
}

export class FeatureServiceNotFoundError extends NotFoundError {
  constructor(name: string, version?: number) {
    super(
      version === undefined
        ? `Feature service ${name} does not exist.`
        : `Feature service ${name} has no version ${version}.`,
    );
    this.name = 'FeatureServiceNotFoundError';
  }
}

/** One difference between a group's latest version and a proposed definition. */
export interface BreakingChange {
  readonly field: string;
  readonly rule: 'breaking_change';
  readonly message: string;
}

/** A definition that would break readers of the latest version, posted without `"breaking": true`. */
export class BreakingChangeError extends ConflictError {
  /** Shown as the problem's `errors`, one per breaking difference. */
  readonly issues: readonly BreakingChange[];
  constructor(name: string, issues: readonly BreakingChange[]) {
    super(
      `The definition breaks readers of the latest version of feature group ${name}: ${issues.map((i) => i.message).join('; ')}. Post it with "breaking": true to make it a new version anyway; models pinned to older versions keep reading them.`,
    );
    this.name = 'BreakingChangeError';
    this.issues = issues;
  }
}
