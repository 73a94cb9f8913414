import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { runningClock } from '../support/clock';
import { readJson } from '../support/http';

/** The local platform in this process on a free loopback port, called over real HTTP. */
describe('local platform over HTTP', () => {
  let home: string;
  let platform: LocalPlatform;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mlops-e2e-'));
    platform = await startLocalPlatform(
      loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: home }, parseWebhookUrls),
      runningClock(),
    );
  });
  afterAll(async () => {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers GET /health with 200 {"status":"ok"} on the loopback address', async () => {
    const response = await fetch(`${platform.url}/health`);

    expect(platform.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readJson(response)).toEqual({ status: 'ok' });
  });

  it('serves the OpenAPI document naming itself as the server', async () => {
    const response = await fetch(`${platform.url}/openapi.json`);
    const document = await readJson(response);

    expect(response.status).toBe(200);
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: platform.url }]);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/notifications']));
  });

  it('answers an unknown path with a 404 problem, as the $default route does in the cloud', async () => {
    const response = await fetch(`${platform.url}/no/such/route`, { method: 'DELETE' });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await readJson(response)).toMatchObject({ status: 404, detail: 'No route $default.' });
  });

  it('refuses a bad query parameter with a 400 naming it', async () => {
    const response = await fetch(`${platform.url}/notifications?limit=0`);
    const problem = await readJson(response);

    expect(response.status).toBe(400);
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'query.limit', rule: 'too_small' })]);
  });

  it('lists notifications sent by the platform, newest first', async () => {
    await platform.notify({ type: 'test.first', subject: 'first', message: 'one' });
    await platform.notify({ type: 'test.second', subject: 'second', message: 'two' });

    const response = await fetch(`${platform.url}/notifications?limit=1`);
    const page = await readJson(response);
    const next = await readJson(
      await fetch(`${platform.url}/notifications?limit=1&nextToken=${page.nextToken}`),
    );

    expect(page.items.map((n: { type: string }) => n.type)).toEqual(['test.second']);
    expect(next.items.map((n: { type: string }) => n.type)).toEqual(['test.first']);
  });

  it('replays a POST with the same Idempotency-Key instead of sending twice', async () => {
    const send = (message: string) =>
      fetch(`${platform.url}/notifications/test`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'e2e-key-1' },
        body: JSON.stringify({ message }),
      });

    const first = await send('exactly once');
    const again = await send('exactly once');
    const changed = await send('something else');

    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await readJson(again)).id).toBe((await readJson(first)).id);
    expect(changed.status).toBe(409);
    const listed = await readJson(await fetch(`${platform.url}/notifications?limit=100`));
    expect(listed.items.filter((n: { message: string }) => n.message === 'exactly once')).toHaveLength(1);
  });
});
