import { Command, Option } from 'commander';
import { API_VERSION } from '../lambdas/api-document';
import { ApiClient, DEFAULT_API_URL } from './api-client';
import { print, reportError } from './output';

interface GlobalOptions {
  readonly api: string;
  readonly json: boolean;
  readonly region?: string;
}

/** Builds the `mlops` program; `argv` and env are parameters so tests run it in-process. */
export const buildProgram = (env: Readonly<Record<string, string | undefined>> = process.env): Command => {
  const program = new Command('mlops')
    .description(
      'MLOps platform CLI: the local platform by default, a deployed API with --api (SigV4-signed).',
    )
    .version(API_VERSION)
    .addOption(new Option('--api <url>', 'API base URL').default(env.MLOPS_API_URL ?? DEFAULT_API_URL))
    .addOption(new Option('--region <region>', 'AWS region for SigV4 (default: from the API host)'))
    .option('--json', 'print machine-readable JSON', false)
    .showHelpAfterError();

  const client = () => {
    const options = program.opts<GlobalOptions>();
    return { client: new ApiClient({ baseUrl: options.api, region: options.region }), options };
  };

  program
    .command('health')
    .description('Check that the API answers.')
    .action(async () => {
      const { client: api, options } = client();
      const health = await api.request<{ status: string }>('GET', '/health');
      print(options, health, (h: { status: string }) => `${h.status} (${api.baseUrl.href})`);
    });

  const notifications = program.command('notifications').description('The notifications the platform sent.');
  notifications
    .command('list')
    .description('List notifications, newest first.')
    .option('--limit <n>', 'how many', '20')
    .action(async (local: { limit: string }) => {
      const { client: api, options } = client();
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
      const { client: api, options } = client();
      const sent = await api.request<NotificationLine>('POST', '/notifications/test', {
        ...(local.message ? { message: local.message } : {}),
      });
      print(options, sent, (n: NotificationLine) => `sent ${n.id}`);
    });

  return program;
};

interface NotificationLine {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly message: string;
  readonly createdAt: string;
}

/** Runs the CLI and returns its exit code. */
export const runCli = async (argv: readonly string[], env = process.env): Promise<number> => {
  const program = buildProgram(env).exitOverride();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 1;
    }
    return reportError(error, program.opts<GlobalOptions>().json);
  }
};
