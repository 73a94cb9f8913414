import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsNotificationPublisher } from '../../../../../lambdas/shared/adapters/aws/sns-notification-publisher';
import { ValidationError } from '../../../../../lambdas/shared/errors';
import type { Notification } from '../../../../../lambdas/shared/ports/notification-publisher';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:mlops-notifications';

const notification = (overrides: Partial<Notification> = {}): Notification => ({
  id: 'n-1',
  type: 'monitoring.drift.detected',
  subject: 'Drift detected on flights-delay',
  message: 'PSI 0.31 on distance',
  attributes: { modelName: 'flights-delay', severity: 'high' },
  detail: { psi: 0.31, feature: 'distance' },
  createdAt: '2026-11-28T10:00:00.000Z',
  ...overrides,
});

describe('SnsNotificationPublisher', () => {
  const sns = mockClient(SNSClient);
  const publisher = new SnsNotificationPublisher({ topicArn: TOPIC_ARN, client: new SNSClient({}) });
  const published = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);

  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('publishes once to the topic with the subject, the notification as JSON and attributes', async () => {
    const sent = notification();

    await publisher.publish(sent);

    expect(published()).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Subject: 'Drift detected on flights-delay',
        Message: expect.any(String),
        MessageAttributes: {
          type: { DataType: 'String', StringValue: 'monitoring.drift.detected' },
          modelName: { DataType: 'String', StringValue: 'flights-delay' },
          severity: { DataType: 'String', StringValue: 'high' },
        },
      },
    ]);
    expect(JSON.parse(published()[0]?.Message ?? '')).toEqual(sent);
  });

  it('makes the subject printable ASCII of at most 100 characters', async () => {
    await publisher.publish(notification({ subject: `Modèle « naïve »\n${'très long '.repeat(20)}😀` }));

    const subject = published()[0]?.Subject ?? '';
    expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    expect(subject.startsWith('Modele naive tres long tres long')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject).toHaveLength(100);
  });

  it('falls back to the type when nothing printable is left of the subject', async () => {
    await publisher.publish(notification({ subject: '😀 \n\t' }));

    expect(published()[0]?.Subject).toBe('monitoring.drift.detected');
  });

  it("keeps the notification's own type over an attribute named type, and drops empty values", async () => {
    await publisher.publish(notification({ attributes: { type: 'forged', empty: '', stage: 'prod' } }));

    expect(published()[0]?.MessageAttributes).toEqual({
      type: { DataType: 'String', StringValue: 'monitoring.drift.detected' },
      stage: { DataType: 'String', StringValue: 'prod' },
    });
  });

  it('refuses more attributes or bigger messages than SNS carries, without calling it', async () => {
    const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, 'v']));

    const tooMany = await publisher
      .publish(notification({ attributes: many }))
      .catch((error: unknown) => error);
    const tooBig = await publisher
      .publish(notification({ detail: 'x'.repeat(256 * 1024) }))
      .catch((e: unknown) => e);
    const badName = await publisher
      .publish(notification({ attributes: { 'AWS.x': 'v' } }))
      .catch((e: unknown) => e);

    expect(tooMany).toBeInstanceOf(ValidationError);
    expect(tooBig).toBeInstanceOf(ValidationError);
    expect(badName).toBeInstanceOf(ValidationError);
    expect(published()).toEqual([]);
  });

  it('passes SNS failures on', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));

    await expect(publisher.publish(notification())).rejects.toThrow('AuthorizationError');
  });
});
