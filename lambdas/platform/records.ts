/** What the platform stores in each item's `data`: the notification outbox, and its decoder. */
import * as z from 'zod';
import type { Notification } from '../shared/ports/notification-publisher';
import { zodDecoder } from '../shared/stored';

/** A notification as the outbox keeps it: recorded before delivery, marked delivered after. */
export type StoredNotification = Notification & { readonly delivered: boolean };

const text = z.string();

export const decodeNotification = zodDecoder<StoredNotification>(
  'notification',
  z.looseObject({
    id: text,
    type: text,
    subject: text,
    message: text,
    attributes: z.record(z.string(), z.string()).optional(),
    createdAt: text,
    delivered: z.boolean(),
  }),
);
