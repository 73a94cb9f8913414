/**
 * Monitors' schedules as EventBridge rules, one per monitor, created at run time by the API: each rule
 * starts the drift-job state machine with `{"monitor": name}`. Chosen over one dispatcher rule that
 * polls for due monitors because EventBridge then owns the schedule semantics, validates the expression
 * itself, and nothing runs between fire times.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeScheduleRules } from './eventbridge-schedule-rules';

/** The one target id of a monitor's rule. */
export const DRIFT_JOB_TARGET_ID = 'drift-job';

export const driftJobScheduleRules = (options: {
  /** Prepended to monitor names; unique per stack. */
  readonly rulePrefix: string;
  /** The drift-job state machine each rule starts. */
  readonly stateMachineArn: string;
  /** The role EventBridge assumes to start it (states:StartExecution on that state machine only). */
  readonly roleArn: string;
  readonly client?: EventBridgeClient;
}): EventBridgeScheduleRules =>
  new EventBridgeScheduleRules({
    rulePrefix: options.rulePrefix,
    targetId: DRIFT_JOB_TARGET_ID,
    targetArn: options.stateMachineArn,
    roleArn: options.roleArn,
    input: (monitor) => ({ monitor }),
    describe: (monitor) => `Runs monitor ${monitor}`,
    ...(options.client ? { client: options.client } : {}),
  });
