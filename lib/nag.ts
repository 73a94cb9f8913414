import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Acknowledges, on the grantee's own role only, the cdk-nag AwsSolutions-IAM5 findings that a CDK
 * grant*() call is known to produce. cdk-nag v3 has no prefix matching: each finding is named exactly
 * (`Action::kms:GenerateDataKey*`, `Resource::<Bucket1234.Arn>/*`), so a wildcard nobody reviewed
 * still fails the check.
 */
export const acknowledgeWildcards = (
  grantee: IGrantable,
  findings: readonly string[],
  reason: string,
): void => {
  const principal = grantee.grantPrincipal;
  if (!Construct.isConstruct(principal)) {
    throw new Error(
      'acknowledgeWildcards: the grantee principal must be a construct (a Role) to carry the acknowledgement',
    );
  }
  for (const finding of findings) {
    Validations.of(principal).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  }
};

/** cdk-nag's name for "every object of this bucket": `Resource::<LogicalId.Arn>/*` (Fn::GetAtt flattened). */
export const objectsFinding = (resource: Construct): string => {
  const cfn = resource.node.defaultChild as CfnElement | undefined;
  if (!cfn) throw new Error(`objectsFinding: ${resource.node.path} has no CloudFormation resource`);
  return `Resource::<${Stack.of(resource).getLogicalId(cfn)}.Arn>/*`;
};
