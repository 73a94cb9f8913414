import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface EncryptionKeyProps {
  /** @default 'MLOps platform data key' */
  readonly description?: string;
  /**
   * DESTROY schedules the key for deletion after `pendingWindow`; data it encrypted becomes unreadable.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Waiting period before a removed key is deleted, 7 to 30 days; it can be cancelled meanwhile.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * The customer-managed KMS key of the platform's data (table, artifacts, notifications), rotated
 * yearly by KMS. One key for the three: $1/month instead of $3, and one key policy to audit. Sharing
 * it widens nothing: a grantee still needs the service permission on each resource (s3:GetObject,
 * dynamodb:GetItem, sns:Publish); the key alone opens no data.
 */
export class EncryptionKey extends Construct {
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps = {}) {
    super(scope, id);
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    const days = pendingWindow.toDays();
    if (days < 7 || days > 30) {
      throw new Error(`EncryptionKey ${id}: pendingWindow must be from 7 to 30 days, got ${days}`);
    }
    this.key = new Key(this, 'Key', {
      description: props.description ?? 'MLOps platform data key',
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
