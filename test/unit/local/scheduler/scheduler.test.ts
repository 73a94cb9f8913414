import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../../lambdas/shared/errors';
import {
  LocalScheduler,
  type ScheduledEvent,
  type TimerFunctions,
} from '../../../../local/scheduler/scheduler';
import { type ManualClock, manualClock } from '../../../support/clock';

/** A clock and timers that move only when told; due timers run in time order, each followed by its microtasks. */
class FakeTime {
  readonly clock: ManualClock;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 1;
  readonly delays: number[] = [];

  constructor(iso: string) {
    this.clock = manualClock(iso);
  }

  get #now(): number {
    return this.clock.now().getTime();
  }

  readonly timers: TimerFunctions = {
    setTimeout: (callback, ms) => {
      const id = this.#nextId++;
      this.delays.push(ms);
      this.#timers.set(id, { at: this.#now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => {
      this.#timers.delete(handle as number);
    },
  };

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves the clock without running timers, as a sleeping laptop does. */
  jump(iso: string): void {
    this.clock.set(iso);
  }

  async advanceTo(iso: string): Promise<void> {
    const target = Date.parse(iso);
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, t]) => t.at <= target)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.#timers.delete(id);
      this.clock.advance(Math.max(0, timer.at - this.#now));
      timer.callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.clock.advance(Math.max(0, target - this.#now));
  }
}

function recorder() {
  const events: ScheduledEvent[] = [];
  return { events, target: async (event: ScheduledEvent) => void events.push(event) };
}

const silentLogger = { error: () => {} };

describe('LocalScheduler', () => {
  it('fires a cron rule at each matching minute with an EventBridge Scheduled Event', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T08:59:30Z');
    const { events, target } = recorder();
    const scheduler = new LocalScheduler({
      clock: time.clock,
      timers: time.timers,
      region: 'eu-west-1',
      accountId: '111122223333',
    });
    scheduler.register({ name: 'drift-check', expression: 'cron(0/15 * * * ? *)', target });

    // Act
    scheduler.start();
    await time.advanceTo('2026-03-02T09:31:00Z');

    // Assess
    expect(events.map((e) => e.time)).toEqual([
      '2026-03-02T09:00:00Z',
      '2026-03-02T09:15:00Z',
      '2026-03-02T09:30:00Z',
    ]);
    expect(events[0]).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '111122223333',
      time: '2026-03-02T09:00:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:111122223333:rule/drift-check'],
      detail: {},
    });
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
  });

  it('fires a rate rule every interval counted from start()', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T08:59:30Z');
    const { events, target } = recorder();
    const scheduler = new LocalScheduler({ clock: time.clock, timers: time.timers });
    scheduler.register({ name: 'every-5', expression: 'rate(5 minutes)', target });

    // Act
    scheduler.start();
    await time.advanceTo('2026-03-02T09:14:30Z');

    // Assess
    expect(events.map((e) => e.time)).toEqual([
      '2026-03-02T09:04:30Z',
      '2026-03-02T09:09:30Z',
      '2026-03-02T09:14:30Z',
    ]);
  });

  it('logs a failing target and keeps firing the rule', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T08:59:30Z');
    const logged: Record<string, unknown>[] = [];
    let calls = 0;
    const scheduler = new LocalScheduler({
      clock: time.clock,
      timers: time.timers,
      logger: { error: (_message, details) => void logged.push(details) },
    });
    scheduler.register({
      name: 'flaky',
      expression: 'rate(1 minute)',
      target: async () => {
        calls += 1;
        if (calls === 1) throw new Error('store unavailable');
      },
    });

    // Act
    scheduler.start();
    await time.advanceTo('2026-03-02T09:02:30Z');

    // Assess
    expect(calls).toBe(3);
    expect(logged).toEqual([
      { rule: 'flaky', time: '2026-03-02T09:00:30Z', error: { name: 'Error', message: 'store unavailable' } },
    ]);
  });

  it('stop() clears every timer and resolves only after running targets settle', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T08:59:30Z');
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    const scheduler = new LocalScheduler({ clock: time.clock, timers: time.timers });
    scheduler.register({
      name: 'slow',
      expression: 'cron(* * * * ? *)',
      target: async () => {
        await blocked;
        finished = true;
      },
    });
    scheduler.register({ name: 'other', expression: 'rate(1 hour)', target: async () => {} });
    scheduler.start();
    await time.advanceTo('2026-03-02T09:00:00Z');

    // Act
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    const stoppedBeforeRelease = stopped;
    release();
    await stopping;

    // Assess
    expect(time.pendingTimers).toBe(0);
    expect(stoppedBeforeRelease).toBe(false);
    expect(finished).toBe(true);
  });

  it('fires nothing after stop()', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T08:59:30Z');
    const { events, target } = recorder();
    const scheduler = new LocalScheduler({ clock: time.clock, timers: time.timers });
    scheduler.register({ name: 'minutely', expression: 'cron(* * * * ? *)', target });
    scheduler.start();
    await time.advanceTo('2026-03-02T09:00:00Z');

    // Act
    await scheduler.stop();
    await time.advanceTo('2026-03-02T10:00:00Z');

    // Assess
    expect(events).toHaveLength(1);
    expect(scheduler.list()[0]).not.toHaveProperty('nextFireTime');
  });

  it('chains waits longer than a Node timer allows and fires once, on time', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T00:00:00Z');
    const { events, target } = recorder();
    const scheduler = new LocalScheduler({ clock: time.clock, timers: time.timers });
    scheduler.register({ name: 'new-year', expression: 'cron(0 0 1 1 ? *)', target });

    // Act
    scheduler.start();
    await time.advanceTo('2027-01-01T00:00:30Z');

    // Assess
    expect(Math.max(...time.delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(events.map((e) => e.time)).toEqual(['2027-01-01T00:00:00Z']);
    expect(scheduler.list()[0]?.nextFireTime).toEqual(new Date('2028-01-01T00:00:00Z'));
  });

  it('after a sleep, fires a missed rule once, late, then continues from the present', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T00:00:00Z');
    const { events, target } = recorder();
    const scheduler = new LocalScheduler({ clock: time.clock, timers: time.timers });
    scheduler.register({ name: 'hourly', expression: 'rate(1 hour)', target });
    scheduler.start();

    // Act
    time.jump('2026-03-02T03:30:00Z');
    await time.advanceTo('2026-03-02T04:00:00Z');

    // Assess
    expect(events.map((e) => e.time)).toEqual(['2026-03-02T01:00:00Z', '2026-03-02T04:00:00Z']);
  });

  it('starts a rule registered while running from its registration', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T00:00:00Z');
    const { events, target } = recorder();
    const scheduler = new LocalScheduler({ clock: time.clock, timers: time.timers });
    scheduler.start();
    await time.advanceTo('2026-03-02T00:10:00Z');

    // Act
    scheduler.register({ name: 'late', expression: 'rate(10 minutes)', target });
    await time.advanceTo('2026-03-02T00:20:00Z');

    // Assess
    expect(events.map((e) => e.time)).toEqual(['2026-03-02T00:20:00Z']);
  });

  it('fires a rule on demand with trigger(), passing the target error to the caller', async () => {
    // Prepare
    const time = new FakeTime('2026-03-02T00:00:00Z');
    const scheduler = new LocalScheduler({ clock: time.clock, timers: time.timers, logger: silentLogger });
    scheduler.register({
      name: 'manual',
      expression: 'rate(1 day)',
      target: async (event) => {
        throw new Error(`failed at ${event.time}`);
      },
    });

    // Act
    const triggered = scheduler.trigger('manual');

    // Assess
    await expect(triggered).rejects.toThrow('failed at 2026-03-02T00:00:00Z');
  });

  it('refuses an invalid expression, an invalid name and a taken name', () => {
    // Prepare
    const scheduler = new LocalScheduler({ clock: manualClock() });
    const target = async () => {};
    scheduler.register({ name: 'taken', expression: 'rate(1 day)', target });

    // Act
    const badExpression = () => scheduler.register({ name: 'x', expression: 'cron(0 10 * * * *)', target });
    const badName = () => scheduler.register({ name: 'has space', expression: 'rate(1 day)', target });
    const taken = () => scheduler.register({ name: 'taken', expression: 'rate(2 days)', target });

    // Assess
    expect(badExpression).toThrow(ValidationError);
    expect(badName).toThrow(ValidationError);
    expect(taken).toThrow(ConflictError);
  });
});
