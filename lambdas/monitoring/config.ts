import * as z from 'zod';
import { parseEnvironment } from '../shared/config';

/**
 * What the monitoring API function needs beyond the shared Lambda environment (lambdas/shared/config.ts):
 * where monitors' schedule rules go. Parsed once at cold start, failing with every variable at fault.
 */
export const MonitoringEnvironment = z.object({
  /** Prefix of the monitors' EventBridge rule names, unique to the stack: 1-32 of A-Z a-z 0-9 . _ -. */
  MONITOR_RULE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,32}$/, 'must be 1-32 letters, digits, ".", "_" or "-"'),
  MONITOR_STATE_MACHINE_ARN: z.string().startsWith('arn:'),
  MONITOR_SCHEDULE_ROLE_ARN: z.string().startsWith('arn:'),
});

export interface MonitoringConfig {
  readonly rulePrefix: string;
  readonly stateMachineArn: string;
  readonly scheduleRoleArn: string;
}

export const loadMonitoringConfig = (env: Readonly<Record<string, string | undefined>>): MonitoringConfig => {
  const parsed = parseEnvironment(MonitoringEnvironment, env);
  return {
    rulePrefix: parsed.MONITOR_RULE_PREFIX,
    stateMachineArn: parsed.MONITOR_STATE_MACHINE_ARN,
    scheduleRoleArn: parsed.MONITOR_SCHEDULE_ROLE_ARN,
  };
};
