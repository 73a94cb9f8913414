import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bindArtifactBucket, type DataAccess } from './bindings';

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
 * cannot deliver to a bucket whose default encryption is SSE-KMS. Pass `bucket` (an IBucket) to other
 * constructs; give a function the bucket with `bindTo`.
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

  /** Sets ARTIFACT_BUCKET_NAME on the function and grants it `access`, in one call (bindArtifactBucket). */
  bindTo(fn: LambdaFunction, options: { readonly access: DataAccess }): void {
    bindArtifactBucket(this.bucket, fn, options);
  }
}
