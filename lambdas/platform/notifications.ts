import { sortableIdGenerator } from '../shared/ids';
import { mapPage } from '../shared/page';
import type { Clock } from '../shared/ports/clock';
import type { JsonObject, MetadataStore, Page } from '../shared/ports/metadata-store';
import type { Notification, NotificationPublisher } from '../shared/ports/notification-publisher';
import { decodeNotification, type StoredNotification } from './records';

/** Partition of the metadata store that keeps every notification sent: the outbox and its history. */
const OUTBOX_PK = 'notifications';
/** How long the outbox keeps a notification. */
const RETENTION_SECONDS = 90 * 24 * 3600;

export interface NotificationDeps {
  readonly store: MetadataStore;
  readonly publisher: NotificationPublisher;
  readonly clock: Clock;
  /** Time-sortable ids (see shared/ids.ts); the outbox lists in id order. */
  readonly newId: () => string;
}

export type NotificationInput = Omit<Notification, 'id' | 'createdAt'>;

/** Notification deps with a sortable id generator on the given clock. */
export const notificationDeps = (deps: Omit<NotificationDeps, 'newId'>): NotificationDeps => ({
  ...deps,
  newId: sortableIdGenerator(deps.clock),
});

/**
 * Records a notification, then hands it to the publisher (SNS in the cloud, webhooks locally).
 * Recording first means `GET /notifications` shows what the platform meant to say even if delivery
 * failed; the record says whether it was delivered.
 */
export const sendNotification = async (
  deps: NotificationDeps,
  input: NotificationInput,
): Promise<Notification> => {
  const createdAt = deps.clock.now();
  const notification: Notification = {
    ...input,
    id: deps.newId(),
    createdAt: createdAt.toISOString(),
  };
  const key = { pk: OUTBOX_PK, sk: notification.id };
  const expiresAt = Math.floor(createdAt.getTime() / 1000) + RETENTION_SECONDS;
  const recorded = await deps.store.put({
    ...key,
    data: { ...toJson(notification), delivered: false },
    expiresAt,
    condition: { rev: 0 },
  });
  await deps.publisher.publish(notification);
  await deps.store.put({
    ...key,
    data: { ...recorded.data, delivered: true },
    expiresAt,
    condition: { rev: recorded.rev },
  });
  return notification;
};

/** Notifications newest first. */
export const listNotifications = async (
  deps: Pick<NotificationDeps, 'store'>,
  page: { limit: number; cursor?: string },
): Promise<Page<StoredNotification>> => {
  const result = await deps.store.query(OUTBOX_PK, {
    limit: page.limit,
    cursor: page.cursor,
    descending: true,
  });
  return mapPage(result, decodeNotification);
};

const toJson = (notification: Notification): JsonObject =>
  JSON.parse(JSON.stringify(notification)) as JsonObject;
