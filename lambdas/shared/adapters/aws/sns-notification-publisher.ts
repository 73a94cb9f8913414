import { type MessageAttributeValue, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ValidationError } from '../../errors';
import type { Notification, NotificationPublisher } from '../../ports/notification-publisher';

export interface SnsNotificationPublisherOptions {
  readonly topicArn: string;
  readonly client?: SNSClient;
}

// SNS limits: a subject of at most 100 printable ASCII characters, 10 message attributes,
// 256 KiB for the message and its attributes together.
const MAX_SUBJECT_LENGTH = 100;
const MAX_ATTRIBUTES = 10;
const MAX_PAYLOAD_BYTES = 256 * 1024;
const ATTRIBUTE_NAME = /^(?!aws\.|amazon\.)(?!.*\.\.)[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/i;

/**
 * An SNS subject from any text: accents dropped, other non-ASCII and control characters turned into
 * spaces, blanks collapsed, cut to 100 characters with '...'. Email subscribers see it as the subject line.
 */
const snsSubject = (text: string, fallback: string): string => {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
  const subject = ascii === '' ? fallback : ascii;
  return subject.length <= MAX_SUBJECT_LENGTH
    ? subject
    : `${subject.slice(0, MAX_SUBJECT_LENGTH - 3).trimEnd()}...`;
};

/** Publishes notifications to one SNS topic; subscribers filter on the `type` message attribute. */
export class SnsNotificationPublisher implements NotificationPublisher {
  readonly #topicArn: string;
  readonly #client: SNSClient;

  constructor(options: SnsNotificationPublisherOptions) {
    this.#topicArn = options.topicArn;
    this.#client = options.client ?? new SNSClient({});
  }

  async publish(notification: Notification): Promise<void> {
    const attributes = messageAttributes(notification);
    const message = JSON.stringify(notification);
    const size =
      Buffer.byteLength(message) +
      Object.entries(attributes).reduce(
        (sum, [name, value]) => sum + name.length + (value.StringValue?.length ?? 0),
        0,
      );
    if (size > MAX_PAYLOAD_BYTES) {
      throw new ValidationError([
        {
          field: 'notification',
          rule: 'max_size',
          message: `message and attributes exceed ${MAX_PAYLOAD_BYTES} bytes`,
        },
      ]);
    }
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: snsSubject(notification.subject, snsSubject(notification.type, 'Notification')),
        Message: message,
        MessageAttributes: attributes,
      }),
    );
  }
}

const messageAttributes = (notification: Notification): Record<string, MessageAttributeValue> => {
  const entries = Object.entries(notification.attributes ?? {})
    // `type` is the notification's own; SNS also refuses empty attribute values.
    .filter(([name, value]) => name !== 'type' && value !== '')
    .concat([['type', notification.type]]);
  if (entries.length > MAX_ATTRIBUTES) {
    throw new ValidationError([
      {
        field: 'attributes',
        rule: 'max_items',
        message: `SNS carries at most ${MAX_ATTRIBUTES - 1} attributes besides type`,
      },
    ]);
  }
  for (const [name] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw new ValidationError([
        {
          field: `attributes.${name}`,
          rule: 'sns_attribute_name',
          message: 'is not a valid SNS message attribute name',
        },
      ]);
    }
  }
  return Object.fromEntries(
    entries.map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
};
