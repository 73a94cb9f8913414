import type { JsonObject } from '../shared/ports/metadata-store';
import type { ExecutionView, StoredTrainingRequest } from './schemas';

export type ExecutionTrigger = ExecutionView['trigger'];

/** The stored execution: written RUNNING by the API, closed by the Notify or RecordFailure task. */
export interface ExecutionRecord {
  readonly executionId: string;
  readonly pipeline: 'training';
  readonly model: string;
  readonly status: ExecutionView['status'];
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly startedBy: string;
  readonly trigger: ExecutionTrigger;
  readonly request: StoredTrainingRequest;
  readonly output?: NonNullable<ExecutionView['output']>;
  readonly error?: string;
  readonly cause?: string;
}

export const toJson = (record: ExecutionRecord): JsonObject => record as unknown as JsonObject;

/**
 * A Lambda task's failure reaches the state machine with the runtime's JSON as its Cause
 * (`{errorType, errorMessage, trace}`); people want the message. Other causes pass unchanged.
 */
export const readableCause = (cause: string | undefined): string | undefined => {
  if (cause === undefined) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: already readable
  }
  return cause;
};
