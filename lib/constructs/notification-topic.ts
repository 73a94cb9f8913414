import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { bindNotificationTopic, type PublishAccess } from './bindings';

export interface NotificationTopicProps {
  /**
   * Customer-managed key the messages are encrypted with at rest. AWS services that publish directly
   * (CloudWatch alarms, EventBridge) need `kms:GenerateDataKey*`/`kms:Decrypt` in its key policy.
   */
  readonly encryptionKey: IKey;
  /** @default 'MLOps platform notifications' */
  readonly displayName?: string;
}

/** The SNS topic of platform notifications (drift, approvals, rollbacks): KMS-encrypted, TLS-only publishing. */
export class NotificationTopic extends Construct {
  public readonly topic: Topic;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    const displayName = props.displayName ?? 'MLOps platform notifications';
    // SNS shows at most 100 characters of a display name (e-mail "From", SMS sender).
    if (displayName.length > 100) {
      throw new Error(
        `NotificationTopic ${id}: displayName must be at most 100 characters, got ${displayName.length}`,
      );
    }
    this.topic = new Topic(this, 'Topic', { masterKey: props.encryptionKey, enforceSSL: true, displayName });
  }

  /** Sets NOTIFICATION_TOPIC_ARN on the function and, with `publish`, lets it publish (bindNotificationTopic). */
  bindTo(fn: LambdaFunction, options: { readonly access: PublishAccess }): void {
    bindNotificationTopic(this.topic, fn, options);
  }
}
