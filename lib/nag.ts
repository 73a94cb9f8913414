import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';

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

/**
 * cdk-nag's names for "every object of this bucket under each prefix": `Resource::<LogicalId.Arn>/{prefix}*`
 * (Fn::GetAtt flattened); `['']` names every object. None for a bucket defined outside this app (an
 * imported IBucket has no CloudFormation resource here): cdk-nag then reports its ARN as it is, for the
 * importer to review and acknowledge.
 */
export const objectsFindings = (bucket: IConstruct, prefixes: readonly string[] = ['']): string[] => {
  const cfn = bucket.node.defaultChild;
  if (!cfn || !CfnElement.isCfnElement(cfn)) return [];
  const arn = `<${Stack.of(cfn).getLogicalId(cfn)}.Arn>`;
  return prefixes.map((prefix) => `Resource::${arn}/${prefix}*`);
};
