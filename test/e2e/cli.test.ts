import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { runningClock } from '../support/clock';
import { freePort } from '../support/net';
import { PROCESS_TEST_OPTIONS, spawnNode } from '../support/processes';

const mlops = async (...args: string[]) => {
  const cli = spawnNode(['bin/mlops.mjs', ...args], {});
  const code = await new Promise<number | null>((resolve) => cli.child.on('exit', resolve));
  return { code, output: cli.output() };
};

describe('mlops CLI against the local platform', PROCESS_TEST_OPTIONS, () => {
  let home: string;
  let platform: LocalPlatform;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mlops-cli-'));
    platform = await startLocalPlatform(
      loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: home }, parseWebhookUrls),
      runningClock(),
    );
  });
  afterAll(async () => {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('mlops health --json prints the API answer and exits 0', async () => {
    const { code, output } = await mlops('--api', platform.url, '--json', 'health');

    expect(code).toBe(0);
    expect(JSON.parse(output)).toEqual({ status: 'ok' });
  });

  it('sends and lists a test notification', async () => {
    const sent = await mlops(
      '--api',
      platform.url,
      'notifications',
      'test',
      '--message',
      'hello from the CLI',
    );
    const listed = await mlops('--api', platform.url, 'notifications', 'list');

    expect(sent.code).toBe(0);
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(/platform\.test\s+MLOps platform test: hello from the CLI/);
  });

  it('shows the field at fault and exits 1 when the API refuses the request', async () => {
    const { code, output } = await mlops('--api', platform.url, 'notifications', 'list', '--limit', '5000');

    expect(code).toBe(1);
    expect(output).toContain('error 400');
    expect(output).toMatch(/query\.limit: .*\(too_big\)/);
  });

  it('exits 2 with advice when nothing answers', async () => {
    const { code, output } = await mlops('--api', `http://127.0.0.1:${await freePort()}`, 'health');

    expect(code).toBe(2);
    expect(output).toContain('Is the local platform running (npm start)');
  });
});
