import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { acknowledgeWildcards } from '../nag';

/**
 * Lets `fn` keep the EventBridge rules it makes at run time (schedules are data: one rule per monitor,
 * one per model), and only those: rules whose names start with `rulePrefix`. Returns their ARN pattern.
 */
export const grantRuleManagement = (fn: IFunction, rulePrefix: string, reason: string): string => {
  const rules = Stack.of(fn).formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: `${rulePrefix}*`,
  });
  fn.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [
        'events:PutRule',
        'events:PutTargets',
        'events:RemoveTargets',
        'events:DeleteRule',
        'events:DescribeRule',
      ],
      resources: [rules],
    }),
  );
  acknowledgeWildcards(
    fn,
    [`Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/${rulePrefix}*`],
    reason,
  );
  return rules;
};
