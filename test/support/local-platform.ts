import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Clock } from '../../lambdas/shared/ports/clock';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { runningClock } from './clock';

export interface TempLocalPlatform {
  /** The platform's MLOPS_HOME: a fresh temporary folder, also free for the test's own files. */
  readonly home: string;
  readonly platform: LocalPlatform;
  /** Sends `body` as JSON to `path` on the platform (POST unless `method` says otherwise). */
  sendJson(path: string, body: unknown, method?: string): Promise<Response>;
}

/**
 * The local platform for the calling describe block (or file): started in a beforeAll, on a free port
 * in a temporary MLOPS_HOME named after `prefix`; closed and its folder removed in an afterAll. Hooks
 * run in the order they are declared, so the caller's own beforeAll, declared after, sees it started.
 * Read `home` and `platform` in hooks and tests only. Its clock starts at the fixtures' instant and runs:
 * the platform's time never depends on the calendar date of the run.
 */
export const tempLocalPlatform = (prefix: string, clock: Clock = runningClock()): TempLocalPlatform => {
  let home: string | undefined;
  let platform: LocalPlatform | undefined;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), prefix));
    platform = await startLocalPlatform(
      loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: home }, parseWebhookUrls),
      clock,
    );
  });
  afterAll(async () => {
    await platform?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });
  const started = () => {
    if (!home || !platform)
      throw new Error('the local platform starts in beforeAll: read it in a hook or a test');
    return { home, platform };
  };
  return {
    get home() {
      return started().home;
    },
    get platform() {
      return started().platform;
    },
    sendJson: (path, body, method = 'POST') =>
      fetch(`${started().platform.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
};
