import { describe, expect, it } from 'vitest';
import { listNotifications, sendNotification } from '../../../lambdas/platform/notifications';
import type {
  Notification,
  NotificationPublisher,
} from '../../../lambdas/shared/ports/notification-publisher';
import { manualClock } from '../../support/clock';
import { sqliteStores } from '../../support/stores';

class RecordingPublisher implements NotificationPublisher {
  readonly sent: Notification[] = [];
  failNext = false;
  async publish(notification: Notification): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SNS is down');
    }
    this.sent.push(notification);
  }
}

describe('notifications', () => {
  const sqlite = sqliteStores();
  const setup = () => {
    const clock = manualClock('2026-11-28T10:00:00.000Z');
    const store = sqlite(clock);
    const publisher = new RecordingPublisher();
    let n = 0;
    return { store, clock, publisher, deps: { store, clock, publisher, newId: () => `n${++n}` } };
  };

  it('publishes the notification and records it as delivered', async () => {
    const { deps, publisher, store } = setup();

    const sent = await sendNotification(deps, { type: 'test.ping', subject: 'Ping', message: 'hello' });

    expect(publisher.sent).toEqual([sent]);
    expect(sent).toMatchObject({ id: 'n1', createdAt: '2026-11-28T10:00:00.000Z' });
    const page = await listNotifications({ store }, { limit: 10 });
    expect(page.items).toEqual([{ ...sent, delivered: true }]);
  });

  it('keeps an undelivered notification in the outbox when publishing fails', async () => {
    const { deps, publisher, store } = setup();
    publisher.failNext = true;

    await expect(
      sendNotification(deps, { type: 'test.ping', subject: 'Ping', message: 'lost?' }),
    ).rejects.toThrow('SNS is down');

    const page = await listNotifications({ store }, { limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ message: 'lost?', delivered: false });
  });

  it('lists newest first across pages without losing or repeating one', async () => {
    const { deps, clock, store } = setup();
    for (let i = 0; i < 5; i++) {
      await sendNotification(deps, { type: 'test.seq', subject: `#${i}`, message: String(i) });
      clock.advance(1000);
    }

    const first = await listNotifications({ store }, { limit: 2 });
    const second = await listNotifications({ store }, { limit: 2, cursor: first.cursor });
    const third = await listNotifications({ store }, { limit: 2, cursor: second.cursor });

    const messages = [...first.items, ...second.items, ...third.items].map((n) => n.message);
    expect(messages).toEqual(['4', '3', '2', '1', '0']);
    expect(third.cursor).toBeUndefined();
  });
});
