import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteMetadataStore } from '../../../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { ValidationError } from '../../../../lambdas/shared/errors';
import type { PlatformEvent } from '../../../../lambdas/shared/ports/event-publisher';
import { type EventPattern, matchesPattern } from '../../../../local/events/event-pattern';
import {
  type BusEvent,
  EVENTS_PK,
  LocalEventBus,
  type SubscriberFailure,
} from '../../../../local/events/local-event-bus';
import { type ManualClock, manualClock } from '../../../support/clock';
import { sqliteStores } from '../../../support/stores';

const START_AT = '2026-11-28T12:00:00.000Z';
const START = Date.parse(START_AT);

const approved = (version: number, alias = 'champion'): PlatformEvent => ({
  source: 'mlops.registry',
  detailType: 'ModelVersionApproved',
  detail: { modelName: 'flights-delay', version, alias },
});

// Opened first, so its afterEach (closing the store) runs after the one below that drains the bus.
const openStore = sqliteStores();
let clock: ManualClock;
let store: SqliteMetadataStore;
let failures: SubscriberFailure[];
let bus: LocalEventBus;

beforeEach(() => {
  clock = manualClock(START_AT);
  store = openStore(clock);
  failures = [];
  bus = new LocalEventBus({
    store,
    clock,
    onSubscriberFailure: (failure) => failures.push(failure),
  });
});

afterEach(async () => {
  await bus.drain();
});

/** Subscribes a collector and gives what it received. */
const collect = (pattern: EventPattern, name = 'collector'): BusEvent[] => {
  const received: BusEvent[] = [];
  bus.subscribe(name, pattern, (event) => {
    received.push(event);
  });
  return received;
};

describe('LocalEventBus', () => {
  it('delivers the EventBridge envelope to subscribers whose pattern matches, and to no other', async () => {
    // Prepare
    const registry = collect({ source: ['mlops.registry'], 'detail-type': ['ModelVersionApproved'] });
    const champion = collect({ detail: { alias: ['champion'] } });
    const monitoring = collect({ source: ['mlops.monitoring'] });

    // Act
    await bus.publish([approved(1), approved(2, 'challenger')]);
    await bus.drain();

    // Assess
    expect(registry.map((e) => e.detail.version)).toEqual([1, 2]);
    expect(champion.map((e) => e.detail.version)).toEqual([1]);
    expect(monitoring).toEqual([]);
    expect(registry[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      'detail-type': 'ModelVersionApproved',
      source: 'mlops.registry',
      account: '000000000000',
      time: '2026-11-28T12:00:00.000Z',
      region: 'local',
      resources: [],
      detail: { modelName: 'flights-delay', version: 1, alias: 'champion' },
    });
  });

  it('matches prefixes', async () => {
    // Prepare
    const received = collect({ source: [{ prefix: 'mlops.' }], 'detail-type': [{ prefix: 'ModelVersion' }] });

    // Act
    await bus.publish([approved(1), { source: 'mlops.experiments', detailType: 'RunFinished', detail: {} }]);
    await bus.drain();

    // Assess
    expect(received.map((e) => e['detail-type'])).toEqual(['ModelVersionApproved']);
  });

  it('keeps every event in the metadata store for 90 days, newest first in list()', async () => {
    // Act
    await bus.publish([approved(1)]);
    clock.advance(1000);
    await bus.publish([{ ...approved(2), time: '2026-11-28T11:00:00.000Z' }]);

    // Assess
    const stored = await store.query(EVENTS_PK);
    expect(stored.items.map((item) => item.expiresAt)).toEqual([
      START / 1000 + 90 * 24 * 3600,
      START / 1000 + 1 + 90 * 24 * 3600,
    ]);
    const listed = await bus.list();
    expect(listed.items.map((e) => [e.detail.version, e.time])).toEqual([
      [2, '2026-11-28T11:00:00.000Z'],
      [1, '2026-11-28T12:00:00.000Z'],
    ]);
    clock.advance(90 * 24 * 3600 * 1000);
    expect((await bus.list()).items).toEqual([]);
  });

  it('returns from publish before subscribers run; drain waits for them', async () => {
    // Prepare
    const received = collect({ source: ['mlops.registry'] });

    // Act
    await bus.publish([approved(1)]);
    const beforeDrain = received.length;
    await bus.drain();

    // Assess
    expect(beforeDrain).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('reports a failing subscriber and still delivers to the others', async () => {
    // Prepare
    bus.subscribe('broken', { source: ['mlops.registry'] }, () => {
      throw new Error('target down');
    });
    bus.subscribe('rejecting', { source: ['mlops.registry'] }, async () => {
      throw new Error('target slow');
    });
    const received = collect({ source: ['mlops.registry'] });

    // Act
    await bus.publish([approved(1), approved(2)]);
    await bus.drain();

    // Assess
    expect(received.map((e) => e.detail.version)).toEqual([1, 2]);
    expect(
      failures.map((f) => `${f.subscription} ${f.event.detail.version} ${String(f.error)}`).sort(),
    ).toEqual([
      'broken 1 Error: target down',
      'broken 2 Error: target down',
      'rejecting 1 Error: target slow',
      'rejecting 2 Error: target slow',
    ]);
  });

  it('gives each subscriber its own copy of the event', async () => {
    // Prepare
    bus.subscribe('vandal', { source: ['mlops.registry'] }, (event) => {
      (event.detail as Record<string, unknown>).version = 99;
    });
    const received = collect({ source: ['mlops.registry'] });

    // Act
    await bus.publish([approved(1)]);
    await bus.drain();

    // Assess
    expect(received[0]?.detail.version).toBe(1);
  });

  it('waits in drain for events that subscribers publish in turn', async () => {
    // Prepare
    bus.subscribe('follower', { 'detail-type': ['ModelVersionApproved'] }, async (event) => {
      await bus.publish([
        { source: 'mlops.deployments', detailType: 'DeploymentStarted', detail: event.detail },
      ]);
    });
    const deployments = collect({ source: ['mlops.deployments'] });

    // Act
    await bus.publish([approved(1)]);
    await bus.drain();

    // Assess
    expect(deployments.map((e) => e['detail-type'])).toEqual(['DeploymentStarted']);
  });

  it('stops delivering to a subscriber that unsubscribed', async () => {
    // Prepare
    const received: BusEvent[] = [];
    const unsubscribe = bus.subscribe('once', { source: ['mlops.registry'] }, (event) => {
      received.push(event);
    });
    await bus.publish([approved(1)]);
    await bus.drain();

    // Act
    unsubscribe();
    await bus.publish([approved(2)]);
    await bus.drain();

    // Assess
    expect(received.map((e) => e.detail.version)).toEqual([1]);
  });

  it('refuses a batch holding an event EventBridge would refuse, and records none of it', async () => {
    // Act
    const refusal = await bus
      .publish([approved(1), { ...approved(2), detail: { blob: 'x'.repeat(256 * 1024) } }])
      .catch((error: unknown) => error);

    // Assess
    expect(refusal).toBeInstanceOf(ValidationError);
    expect((await store.query(EVENTS_PK)).items).toEqual([]);
  });

  it.each([
    ['an empty pattern', {}],
    ['a field with no values', { source: [] }],
    ['an unknown operator', { source: [{ regex: 'mlops.*' }] }],
    ['a malformed numeric range', { detail: { version: [{ numeric: ['>'] }] } }],
  ])('refuses %s', (_, pattern) => {
    expect(() => bus.subscribe('bad', pattern as EventPattern, () => {})).toThrow(ValidationError);
  });
});

describe('matchesPattern', () => {
  const event = {
    source: 'mlops.registry',
    'detail-type': 'ModelAliasMoved',
    detail: { alias: 'Champion', version: 7, tags: ['prod', 'eu'], previous: null, metrics: { auc: 0.91 } },
  };

  it.each<[string, EventPattern, boolean]>([
    ['an exact value', { detail: { version: [7] } }, true],
    ['any of several values', { detail: { version: [6, 7] } }, true],
    ['a value of another type', { detail: { version: ['7'] } }, false],
    ['any element of an array field', { detail: { tags: ['eu'] } }, true],
    ['null', { detail: { previous: [null] } }, true],
    ['a missing field', { detail: { owner: ['alice'] } }, false],
    ['nested objects', { detail: { metrics: { auc: [{ numeric: ['>', 0.9, '<=', 1] }] } } }, true],
    ['a numeric range that fails', { detail: { version: [{ numeric: ['<', 7] }] } }, false],
    ['a suffix', { 'detail-type': [{ suffix: 'Moved' }] }, true],
    ['case-insensitive equality', { detail: { alias: [{ 'equals-ignore-case': 'champion' }] } }, true],
    ['a wildcard', { 'detail-type': [{ wildcard: 'Model*Moved' }] }, true],
    ['anything-but, matching', { detail: { alias: [{ 'anything-but': ['Challenger'] }] } }, true],
    ['anything-but, excluded', { detail: { alias: [{ 'anything-but': 'Champion' }] } }, false],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'mlops.' } }] }, false],
    ['exists', { detail: { version: [{ exists: true }], owner: [{ exists: false }] } }, true],
    ['exists, on a missing field', { detail: { owner: [{ exists: true }] } }, false],
    ['$or', { $or: [{ source: ['mlops.monitoring'] }, { detail: { version: [7] } }] }, true],
    ['every field', { source: ['mlops.registry'], detail: { version: [8] } }, false],
  ])('handles %s', (_, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});
