import type { Command } from 'commander';
import type { CliContext } from '../context';
import { print } from '../output';

interface NotificationLine {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly message: string;
  readonly createdAt: string;
}

/** `mlops health` and `mlops notifications ...`. */
export const registerPlatformCommands = (program: Command, context: CliContext): void => {
  program
    .command('health')
    .description('Check that the API answers.')
    .action(async () => {
      const { api, options } = context();
      const health = await api.request<{ status: string }>('GET', '/health');
      print(options, health, (h: { status: string }) => `${h.status} (${api.baseUrl.href})`);
    });

  const notifications = program.command('notifications').description('The notifications the platform sent.');
  notifications
    .command('list')
    .description('List notifications, newest first.')
    .option('--limit <n>', 'how many', '20')
    .action(async (local: { limit: string }) => {
      const { api, options } = context();
      const page = await api.request<{ items: NotificationLine[] }>(
        'GET',
        `/notifications?limit=${local.limit}`,
      );
      print(options, page, (p: { items: NotificationLine[] }) =>
        p.items.length === 0
          ? 'no notifications'
          : p.items.map((n) => `${n.createdAt}  ${n.type.padEnd(28)} ${n.subject}: ${n.message}`).join('\n'),
      );
    });
  notifications
    .command('test')
    .description('Send a test notification through the configured channel (SNS, or webhooks locally).')
    .option('--message <text>', 'the message')
    .action(async (local: { message?: string }) => {
      const { api, options } = context();
      const sent = await api.request<NotificationLine>('POST', '/notifications/test', {
        ...(local.message ? { message: local.message } : {}),
      });
      print(options, sent, (n: NotificationLine) => `sent ${n.id}`);
    });
};
