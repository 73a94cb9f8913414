/**
 * Monitors' schedules as EventBridge rules, one per monitor, created at run time by the API: each rule
 * starts the drift-job state machine with `{"monitor": name}`. Chosen over one dispatcher rule that
 * polls for due monitors because EventBridge then owns the schedule semantics (the local scheduler
 * mimics exactly these rules), validates the expression itself, and nothing runs between fire times.
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { ValidationError } from '../../shared/errors';
import type { MonitorSchedules } from '../deps';

export interface EventBridgeSchedulesOptions {
  /** Prepended to monitor names; unique per stack, so that stages in one account do not collide. */
  readonly rulePrefix: string;
  /** The drift-job state machine each rule starts. */
  readonly stateMachineArn: string;
  /** The role EventBridge assumes to start it (states:StartExecution on that state machine only). */
  readonly roleArn: string;
  readonly client?: EventBridgeClient;
}

/** The one target id of a monitor's rule. */
export const DRIFT_JOB_TARGET_ID = 'drift-job';

const isNamed = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

export class EventBridgeSchedules implements MonitorSchedules {
  readonly #options: EventBridgeSchedulesOptions;
  readonly #client: EventBridgeClient;

  constructor(options: EventBridgeSchedulesOptions) {
    this.#options = options;
    this.#client = options.client ?? new EventBridgeClient({});
  }

  ruleName(monitor: string): string {
    return `${this.#options.rulePrefix}${monitor}`;
  }

  async put(name: string, expression: string, field: string): Promise<void> {
    const rule = this.ruleName(name);
    try {
      await this.#client.send(
        new PutRuleCommand({
          Name: rule,
          ScheduleExpression: expression,
          State: 'ENABLED',
          Description: `Runs monitor ${name}`,
        }),
      );
    } catch (error) {
      // EventBridge's own check of the expression: the caller's input, so a 400 naming the field.
      if (isNamed(error, 'ValidationException')) {
        throw new ValidationError([{ field, rule: 'schedule', message: (error as Error).message }], {
          cause: error,
        });
      }
      throw error;
    }
    const result = await this.#client.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [
          {
            Id: DRIFT_JOB_TARGET_ID,
            Arn: this.#options.stateMachineArn,
            RoleArn: this.#options.roleArn,
            Input: JSON.stringify({ monitor: name }),
          },
        ],
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      const entry = result.FailedEntries?.[0];
      throw new Error(
        `EventBridge refused the target of rule ${rule}: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
      );
    }
  }

  async remove(name: string): Promise<void> {
    const rule = this.ruleName(name);
    try {
      await this.#client.send(new RemoveTargetsCommand({ Rule: rule, Ids: [DRIFT_JOB_TARGET_ID] }));
      await this.#client.send(new DeleteRuleCommand({ Name: rule }));
    } catch (error) {
      if (!isNamed(error, 'ResourceNotFoundException')) throw error;
    }
  }
}
