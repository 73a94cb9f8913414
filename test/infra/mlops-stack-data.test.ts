import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { capabilities } from '../../lambdas/catalogue';
import type { MlopsStack } from '../../lib/mlops-stack';
import {
  type AllowedStatement,
  accessOf,
  allowedActionsOf,
  allowedStatementsOf,
  logicalIdOf,
  OFFLINE_VARIABLES,
  type Props,
  propertiesIn,
  QUERY_ACTIONS,
  synthesizeMlopsStack,
} from './support';

// The data resources of the stack: the offline store and the data stores. The API, the functions and
// the stack as a whole are in mlops-stack.test.ts. One synth for the whole file, as there.
let stack: MlopsStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesizeMlopsStack());
});

const propertiesOf = (construct: { node: { defaultChild?: unknown } }): Props =>
  propertiesIn(template, stack, construct);
const tlsDeny = (action: string) =>
  Match.objectLike({
    Effect: 'Deny',
    Action: action,
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });

describe('offline store', () => {
  const featuresRole = () => logicalIdOf(stack, stack.functions.functionOf('features').role);

  it('is a Glue database in the account catalog, named after the stack', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: { Name: 'platform_offline' },
    });
  });

  it('is queried through an Athena workgroup that enforces KMS-encrypted results and a scan cutoff', () => {
    template.resourceCountIs('AWS::Athena::WorkGroup', 1);
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'Platform-offline',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': [
              '',
              ['s3://', { Ref: logicalIdOf(stack, stack.artifacts.bucket) }, '/athena-results/'],
            ],
          },
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetAtt': [logicalIdOf(stack, stack.key.key), 'Arn'] },
          },
        },
      },
    });
  });

  it('lets the features role run Athena queries in that workgroup only', () => {
    const athena = allowedStatementsOf(template, featuresRole())
      .filter((s) => s.actions.some((a) => a.startsWith('athena:')))
      .map(normalized);

    expect(athena).toEqual([
      normalized({
        actions: QUERY_ACTIONS.filter((a) => a.startsWith('athena:')),
        resources: [stack.resolve(stack.offlineStore.workGroupArn)],
      }),
    ]);
    expect(JSON.stringify(athena[0]?.resources)).toContain(':workgroup/');
  });

  it('lets the features role use the tables of the offline database only, in the account catalog', () => {
    const glue = allowedStatementsOf(template, featuresRole())
      .filter((s) => s.actions.some((a) => a.startsWith('glue:')))
      .map(normalized);
    const { catalogArn, databaseArn, tablesArn } = stack.offlineStore;

    expect(glue).toEqual([
      normalized({
        actions: QUERY_ACTIONS.filter((a) => a.startsWith('glue:')),
        resources: [catalogArn, databaseArn, tablesArn].map((arn) => stack.resolve(arn)),
      }),
    ]);
  });

  it('grants the features role reads of offline/, training-sets/, athena-results/ and writes of the last two', () => {
    const bucket = logicalIdOf(stack, stack.artifacts.bucket);
    const prefixed = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]],
    });
    const statements = allowedStatementsOf(template, featuresRole()).map(normalized);

    expect(statements).toContainEqual(
      normalized({
        actions: ['s3:GetObject'],
        resources: ['offline/', 'training-sets/', 'athena-results/'].map(prefixed),
      }),
    );
    expect(statements).toContainEqual(
      normalized({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: ['training-sets/', 'athena-results/'].map(prefixed),
      }),
    );
  });

  it('sets its variables on the functions that may query it, and on no other', () => {
    for (const [name, fn] of stack.functions.functions) {
      const variables = (propertiesOf(fn).Environment as { Variables: Props }).Variables;
      if (accessOf(name).offlineQueries === 'query') {
        expect(variables, name).toMatchObject({
          OFFLINE_DATABASE: { Ref: stack.getLogicalId(stack.offlineStore.database) },
          ATHENA_WORKGROUP: { Ref: stack.getLogicalId(stack.offlineStore.workGroup) },
        });
      } else {
        expect(
          Object.keys(variables).filter((v) => OFFLINE_VARIABLES.includes(v)),
          name,
        ).toEqual([]);
      }
    }
    expect(accessOf('features').offlineQueries).toBe('query');
  });

  it('gives no other capability any Athena or Glue action', () => {
    const others = capabilities.filter((capability) => capability.name !== 'features');

    expect(others.length).toBeGreaterThan(0);
    for (const capability of others) {
      const actions = allowedActionsOf(
        template,
        logicalIdOf(stack, stack.functions.functionOf(capability.name).role),
      );
      expect(
        actions.filter((a) => /^(athena|glue):/.test(a)),
        capability.name,
      ).toEqual([]);
    }
  });
});

describe('data stores', () => {
  it('keep metadata in an on-demand table with PITR, the platform key, pk/sk and TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, stack.key.key), 'Arn'] },
      },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('use a customer-managed key with rotation', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('keep artifacts in a KMS-encrypted, versioned, private, logged bucket', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(stack, stack.key.key), 'Arn'] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: logicalIdOf(stack, stack.artifacts.accessLogBucket) },
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } })]),
      },
    });
  });

  it('refuse plain-HTTP requests to both buckets', () => {
    for (const bucket of [stack.artifacts.bucket, stack.artifacts.accessLogBucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalIdOf(stack, bucket) },
        PolicyDocument: { Statement: Match.arrayWith([tlsDeny('s3:*')]) },
      });
    }
  });

  it('send notifications through a KMS-encrypted, TLS-only topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, stack.key.key), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([tlsDeny('sns:Publish')]) },
    });
  });
});

/** A statement with actions and resources in a fixed order (minimizePolicies sorts and merges them). */
function normalized(statement: AllowedStatement): AllowedStatement {
  const byJson = (a: unknown, b: unknown) => JSON.stringify(a).localeCompare(JSON.stringify(b));
  return { actions: [...statement.actions].sort(), resources: [...statement.resources].sort(byJson) };
}
