import * as z from 'zod';
import { PaginationQuery, pageOf } from '../shared/http/pagination';
import { defineRoute } from '../shared/http/route';

export const Health = z.object({ status: z.literal('ok') });

export const NotificationView = z.object({
  id: z.string(),
  type: z.string().describe('Dotted kind, e.g. monitoring.drift.detected.'),
  subject: z.string(),
  message: z.string(),
  attributes: z.record(z.string(), z.string()).optional(),
  detail: z.unknown().optional(),
  createdAt: z.iso.datetime(),
});

/** Routes of the platform itself: liveness, the API description, the notification outbox. */
export const platformRoutes = {
  getHealth: defineRoute({
    operationId: 'getHealth',
    method: 'GET',
    path: '/health',
    summary: 'Liveness of the API.',
    tags: ['platform'],
    responses: { 200: { description: 'The API answers.', schema: Health } },
  }),
  getOpenApi: defineRoute({
    operationId: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API described as OpenAPI 3.1, generated from the route tables.',
    tags: ['platform'],
    responses: { 200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) } },
  }),
  listNotifications: defineRoute({
    operationId: 'listNotifications',
    method: 'GET',
    path: '/notifications',
    summary: 'Notifications the platform sent, newest first.',
    tags: ['platform'],
    request: { query: PaginationQuery },
    responses: { 200: { description: 'A page of notifications.', schema: pageOf(NotificationView) } },
  }),
  sendTestNotification: defineRoute({
    operationId: 'sendTestNotification',
    method: 'POST',
    path: '/notifications/test',
    summary: 'Send a test notification through the configured channel (SNS, or webhooks locally).',
    tags: ['platform'],
    request: {
      body: z.strictObject({
        message: z.string().min(1).max(1000).default('Test notification from the MLOps platform.'),
      }),
    },
    responses: { 201: { description: 'Sent and recorded.', schema: NotificationView } },
  }),
} as const;
