/**
 * Schedule rules on EventBridge: one rule per schedule, created at run time by the API that owns it
 * (monitors, training schedules), each with one target given a constant input naming the schedule.
 * EventBridge owns the schedule semantics (the local scheduler mimics exactly these rules), validates
 * the expression itself, and nothing runs between fire times.
 */
import { createHash } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { ValidationError } from '../../errors';
import type { ScheduleRules } from '../../ports/schedule-rules';

export interface EventBridgeScheduleRulesOptions {
  /** Prepended to schedule names; unique per stack, so that stages in one account do not collide. */
  readonly rulePrefix: string;
  /** The id of each rule's one target. */
  readonly targetId: string;
  /**
   * What each rule starts: a state machine, a function... A function may give it per call (a Lambda
   * function knows its own ARN only from its invocation context).
   */
  readonly targetArn: string | (() => string);
  /** The role EventBridge assumes to reach the target; none for a Lambda target (resource policy). */
  readonly roleArn?: string;
  /** The constant input the target receives when schedule `name` fires. */
  readonly input: (name: string) => unknown;
  /** The rule's description. */
  readonly describe: (name: string) => string;
  readonly client?: EventBridgeClient;
}

/** EventBridge's limit on rule names. */
const MAX_RULE_NAME = 64;

const isNamed = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

export class EventBridgeScheduleRules implements ScheduleRules {
  readonly #options: EventBridgeScheduleRulesOptions;
  readonly #client: EventBridgeClient;

  constructor(options: EventBridgeScheduleRulesOptions) {
    this.#options = options;
    this.#client = options.client ?? new EventBridgeClient({});
  }

  /** The prefix and the name; past EventBridge's 64 characters, a cut name and a hash of the whole. */
  ruleName(name: string): string {
    const full = `${this.#options.rulePrefix}${name}`;
    if (full.length <= MAX_RULE_NAME) return full;
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    return `${full.slice(0, MAX_RULE_NAME - hash.length - 1)}-${hash}`;
  }

  async put(name: string, expression: string, field: string): Promise<void> {
    const rule = this.ruleName(name);
    try {
      await this.#client.send(
        new PutRuleCommand({
          Name: rule,
          ScheduleExpression: expression,
          State: 'ENABLED',
          Description: this.#options.describe(name),
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
            Id: this.#options.targetId,
            Arn:
              typeof this.#options.targetArn === 'string'
                ? this.#options.targetArn
                : this.#options.targetArn(),
            ...(this.#options.roleArn === undefined ? {} : { RoleArn: this.#options.roleArn }),
            Input: JSON.stringify(this.#options.input(name)),
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
      await this.#client.send(new RemoveTargetsCommand({ Rule: rule, Ids: [this.#options.targetId] }));
      await this.#client.send(new DeleteRuleCommand({ Name: rule }));
    } catch (error) {
      if (!isNamed(error, 'ResourceNotFoundException')) throw error;
    }
  }
}
