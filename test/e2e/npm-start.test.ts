import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJson } from '../support/http';
import { PROCESS_TEST_OPTIONS, type Spawned, spawnNode } from '../support/processes';

const START = ['--import', 'tsx', 'local/main.ts'];

/** `npm start` as a user runs it: a process that prints its URL, keeps its data and stops on SIGTERM. */
describe('npm start', PROCESS_TEST_OPTIONS, () => {
  const home = mkdtempSync(join(tmpdir(), 'mlops-start-'));
  const running: Spawned[] = [];
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    rmSync(home, { recursive: true, force: true });
  });

  const start = async () => {
    const platform = spawnNode(START, { MLOPS_PORT: '0', MLOPS_HOME: home });
    running.push(platform);
    const [, url] = await platform.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return { platform, url: url! };
  };

  it('prints its URL, serves /health and stops cleanly on SIGTERM', async () => {
    const { platform, url } = await start();

    const health = await fetch(`${url}/health`);
    const code = await platform.stop('SIGTERM');

    expect(health.status).toBe(200);
    expect(code).toBe(0);
    expect(platform.output()).toContain('stopped');
  });

  it('keeps its data across a restart on the same MLOPS_HOME', async () => {
    const first = await start();
    const sent = await fetch(`${first.url}/notifications/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'survives a restart' }),
    });
    expect(sent.status).toBe(201);
    expect(await first.platform.stop('SIGINT')).toBe(0);

    const second = await start();
    const listed = await readJson(await fetch(`${second.url}/notifications`));
    await second.platform.stop('SIGTERM');

    expect(listed.items.map((n: { message: string }) => n.message)).toEqual(['survives a restart']);
  });
});
