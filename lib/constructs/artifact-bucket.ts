import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcards, objectsFinding } from '../nag';

export interface ArtifactBucketProps {
  /** Customer-managed key the artifacts are encrypted with. */
  readonly encryptionKey: IKey;
  /**
   * How long an overwritten or deleted artifact version is kept before S3 removes it.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * How long server access log objects are kept.
   * @default Duration.days(365)
   */
  readonly accessLogExpiration?: Duration;
  /**
   * Applies to both buckets. CloudFormation cannot delete a bucket that still holds objects.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The bucket of model artifacts, datasets and captured data: KMS-encrypted with the platform key
 * (S3 Bucket Keys on, which cuts KMS requests), versioned, TLS 1.2+ only, no public access, no ACLs,
 * server access logs in a separate bucket. That log bucket is SSE-S3 because S3 server access logging
 * cannot deliver to a bucket whose default encryption is SSE-KMS.
 */
export class ArtifactBucket extends Construct {
  public readonly bucket: Bucket;
  public readonly accessLogBucket: Bucket;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id);
    const noncurrentVersionExpiration = props.noncurrentVersionExpiration ?? Duration.days(90);
    const accessLogExpiration = props.accessLogExpiration ?? Duration.days(365);
    for (const [name, value] of Object.entries({ noncurrentVersionExpiration, accessLogExpiration })) {
      if (!value.isUnresolved() && value.toDays() < 1) {
        throw new Error(
          `ArtifactBucket ${id}: ${name} must be at least one day, got ${value.toHumanString()}`,
        );
      }
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Without this flag (cdk.json sets none of the recommended ones) CDK opens log delivery with an ACL,
    // which a bucket with ObjectOwnership BUCKET_OWNER_ENFORCED refuses. Pinned here so the construct
    // behaves the same in any app.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: accessLogExpiration }],
      removalPolicy,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the access-log destination; logging it too would need yet another log bucket, recursively.',
    });

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy,
    });
  }

  /** Read objects and list the bucket (and decrypt). */
  grantRead(grantee: IGrantable): void {
    this.bucket.grantRead(grantee);
    acknowledgeWildcards(
      grantee,
      ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', objectsFinding(this.bucket)],
      'Added by Bucket.grantRead on this one bucket: artifact keys are only known at run time, and the action wildcards cover object versions and tags.',
    );
  }

  /** Read, write and delete objects (and encrypt/decrypt). */
  grantReadWrite(grantee: IGrantable): void {
    this.bucket.grantReadWrite(grantee);
    acknowledgeWildcards(
      grantee,
      [
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        objectsFinding(this.bucket),
        'Action::kms:ReEncrypt*',
        'Action::kms:GenerateDataKey*',
      ],
      'Added by Bucket.grantReadWrite on this one bucket and its key: artifact keys are only known at run time; S3 needs data keys to encrypt uploads.',
    );
  }
}
