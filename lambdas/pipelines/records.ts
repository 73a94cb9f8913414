import * as z from 'zod';
import { zodDecoder } from '../shared/stored';
import { EXECUTION_STATUSES, type ExecutionView, type StoredTrainingRequest } from './schemas';

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

export interface TrainingSchedule {
  readonly model: string;
  /** `rate(...)` or `cron(...)`, as EventBridge takes them (UTC). */
  readonly schedule: string;
  /** The execution whose request each run repeats, when the schedule was set. */
  readonly basedOn: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** What the Register task registered for an execution (the model version and its training run). */
export interface RegistrationResult {
  readonly modelVersion: number;
  readonly runId: string;
}

/** The registration item: a claim while the Register task runs, then the result it registered. */
export type StoredRegistration = RegistrationResult | { readonly claimedAt: string };

// Decoders: one per stored shape above (see lambdas/shared/stored.ts).

const text = z.string();

export const decodeExecution = zodDecoder<ExecutionRecord>(
  'pipeline execution',
  z.looseObject({
    executionId: text,
    pipeline: z.literal('training'),
    model: text,
    status: z.enum(EXECUTION_STATUSES),
    startedAt: text,
    endedAt: text.optional(),
    startedBy: text,
    trigger: z.enum(['api', 'schedule', 'event']),
    request: z.looseObject({ entitiesUri: text }),
    output: z.looseObject({}).optional(),
    error: text.optional(),
    cause: text.optional(),
  }),
);

export const decodeTrainingSchedule = zodDecoder<TrainingSchedule>(
  'training schedule',
  z.looseObject({ model: text, schedule: text, basedOn: text, updatedAt: text, updatedBy: text }),
);

export const decodeRegistration = zodDecoder<StoredRegistration>(
  'registration',
  z.union([
    z.looseObject({ modelVersion: z.number().int(), runId: text }),
    z.looseObject({ claimedAt: text }),
  ]),
);

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
