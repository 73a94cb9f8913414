import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  EventBridgeEventPublisher,
  EventPublishError,
} from '../../../../../lambdas/shared/adapters/aws/eventbridge-event-publisher';
import { ValidationError } from '../../../../../lambdas/shared/errors';
import type { PlatformEvent } from '../../../../../lambdas/shared/ports/event-publisher';

const event = (n: number, overrides: Partial<PlatformEvent> = {}): PlatformEvent => ({
  source: 'mlops.registry',
  detailType: 'ModelVersionApproved',
  detail: { modelName: 'flights-delay', version: n },
  ...overrides,
});

describe('EventBridgeEventPublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  let pauses: number[];
  const publisherWith = (options: { eventBusName?: string; retries?: number } = {}) =>
    new EventBridgeEventPublisher({
      client: new EventBridgeClient({}),
      sleep: async (ms) => void pauses.push(ms),
      ...options,
    });
  const sent = () =>
    eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

  beforeEach(() => {
    eventBridge.reset();
    pauses = [];
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
    }));
  });

  it('puts each event on the default bus with its source, detail type, JSON detail and time', async () => {
    // Act
    await publisherWith().publish([
      event(1, { time: '2026-11-28T10:00:00.000Z' }),
      event(2, { source: 'mlops.experiments', detailType: 'RunFinished' }),
    ]);

    // Assess
    expect(sent()).toEqual([
      [
        {
          EventBusName: 'default',
          Source: 'mlops.registry',
          DetailType: 'ModelVersionApproved',
          Detail: '{"modelName":"flights-delay","version":1}',
          Time: new Date('2026-11-28T10:00:00.000Z'),
        },
        {
          EventBusName: 'default',
          Source: 'mlops.experiments',
          DetailType: 'RunFinished',
          Detail: '{"modelName":"flights-delay","version":2}',
        },
      ],
    ]);
  });

  it('uses the bus it was given', async () => {
    // Act
    await publisherWith({ eventBusName: 'mlops-bus' }).publish([event(1)]);

    // Assess
    expect(sent()[0]?.[0]?.EventBusName).toBe('mlops-bus');
  });

  it('sends 25 events as requests of 10, 10 and 5, in order', async () => {
    // Act
    await publisherWith().publish(Array.from({ length: 25 }, (_, i) => event(i)));

    // Assess
    expect(sent().map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(
      sent()
        .flat()
        .map((entry) => JSON.parse(entry.Detail ?? '').version),
    ).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('keeps each request within 256 KB of entries', async () => {
    // Prepare
    const big = (n: number) => event(n, { detail: { n, blob: 'x'.repeat(100 * 1024) } });

    // Act
    await publisherWith().publish([big(1), big(2), big(3)]);

    // Assess
    expect(sent().map((entries) => entries.length)).toEqual([2, 1]);
  });

  it('sends nothing when one event is bigger than 256 KB, or malformed', async () => {
    // Prepare
    const publisher = publisherWith();
    const tooBig = event(2, { detail: { blob: 'x'.repeat(256 * 1024) } });

    // Act
    const refusals = await Promise.all([
      publisher.publish([event(1), tooBig]).catch((error: unknown) => error),
      publisher.publish([event(1, { detailType: '' })]).catch((error: unknown) => error),
      publisher.publish([event(1, { source: 'aws.s3' as PlatformEvent['source'] })]).catch((e: unknown) => e),
      publisher.publish([event(1, { time: 'yesterday' })]).catch((error: unknown) => error),
    ]);

    // Assess
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(ValidationError);
    expect((refusals[0] as ValidationError).issues[0]).toMatchObject({ field: 'events.1', rule: 'max_size' });
    expect(sent()).toEqual([]);
  });

  it('sends only the failed entries again, with doubling pauses, until they are taken', async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'e-0' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
          { ErrorCode: 'InternalFailure' },
        ],
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'e-1' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });

    // Act
    await publisherWith().publish([event(0), event(1), event(2)]);

    // Assess
    expect(sent().map((entries) => entries.map((entry) => JSON.parse(entry.Detail ?? '').version))).toEqual([
      [0, 1, 2],
      [1, 2],
      [2],
    ]);
    expect(pauses).toEqual([100, 200]);
  });

  it('throws naming what failed once the retries are spent', async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });

    // Act
    const error = await publisherWith({ retries: 2 })
      .publish([event(1)])
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(EventPublishError);
    expect((error as EventPublishError).failures).toEqual([
      { detailType: 'ModelVersionApproved', errorCode: 'InternalFailure' },
    ]);
    expect(sent()).toHaveLength(3);
  });

  it('does not retry an entry EventBridge refuses for good', async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'NotAuthorizedForSourceException' }] });

    // Act
    const publishing = publisherWith().publish([event(1)]);

    // Assess
    await expect(publishing).rejects.toThrow(/NotAuthorizedForSourceException/);
    expect(sent()).toHaveLength(1);
    expect(pauses).toEqual([]);
  });

  it('sends nothing for no events, and passes SDK failures on', async () => {
    // Act
    await publisherWith().publish([]);
    const calls = sent().length;
    eventBridge.on(PutEventsCommand).rejects(new Error('AccessDeniedException'));

    // Assess
    expect(calls).toBe(0);
    await expect(publisherWith().publish([event(1)])).rejects.toThrow('AccessDeniedException');
  });
});
