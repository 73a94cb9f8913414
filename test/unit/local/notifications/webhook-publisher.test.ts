import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../lambdas/shared/errors';
import type { Notification } from '../../../../lambdas/shared/ports/notification-publisher';
import {
  type WebhookDeliveryError,
  WebhookNotificationPublisher,
} from '../../../../local/notifications/webhook-publisher';
import { parseWebhookUrls } from '../../../../local/notifications/webhook-urls';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** A loopback receiver: /ok takes, /flaky answers 503 twice then takes, /bad answers 400, /hang never answers. */
let server: Server;
let base: string;
let received: Received[];
let flakyCalls: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      received.push({
        path,
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString() || 'null'),
      });
      if (path === '/hang') return;
      if (path === '/flaky' && ++flakyCalls <= 2) return void response.writeHead(503).end();
      response.writeHead(path === '/bad' ? 400 : 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  flakyCalls = 0;
});

/** A port nothing listens on: bound, read, released. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}/gone`;
}

const notification: Notification = {
  id: 'n-1',
  type: 'monitoring.drift.detected',
  subject: 'Drift on flights-delay',
  message: 'PSI 0.31 on distance',
  attributes: { model: 'flights-delay' },
  createdAt: '2026-03-02T09:00:00.000Z',
};

function publisher(urls: string[], extra: { timeoutMs?: number; retries?: number } = {}) {
  const failures: { url: string; error: WebhookDeliveryError }[] = [];
  const pauses: number[] = [];
  const instance = new WebhookNotificationPublisher({
    urls,
    retries: 2,
    backoffMs: 100,
    sleep: async (ms) => void pauses.push(ms),
    onDeliveryFailure: (url, error) => failures.push({ url, error }),
    ...extra,
  });
  return { instance, failures, pauses };
}

describe('WebhookNotificationPublisher', () => {
  it('POSTs the notification as JSON with its type and id in headers', async () => {
    // Prepare
    const { instance, failures } = publisher([`${base}/ok`]);

    // Act
    await instance.publish(notification);

    // Assess
    expect(failures).toEqual([]);
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toEqual(notification);
    expect(received[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-mlops-notification-type': 'monitoring.drift.detected',
      'x-mlops-notification-id': 'n-1',
    });
  });

  it('retries a 503 with doubling pauses and succeeds', async () => {
    // Prepare
    const { instance, failures, pauses } = publisher([`${base}/flaky`]);

    // Act
    await instance.publish(notification);

    // Assess
    expect(received.map((r) => r.path)).toEqual(['/flaky', '/flaky', '/flaky']);
    expect(pauses).toEqual([100, 200]);
    expect(failures).toEqual([]);
  });

  it('does not retry a 400 and reports it', async () => {
    // Prepare
    const { instance, failures, pauses } = publisher([`${base}/bad`]);

    // Act
    await instance.publish(notification);

    // Assess
    expect(received).toHaveLength(1);
    expect(pauses).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.error).toMatchObject({ status: 400, attempts: 1, url: `${base}/bad` });
  });

  it('gives up on a webhook that does not answer in time, after its retries', async () => {
    // Prepare
    const { instance, failures } = publisher([`${base}/hang`], { timeoutMs: 100, retries: 1 });

    // Act
    const started = performance.now();
    await instance.publish(notification);
    const elapsed = performance.now() - started;

    // Assess
    expect(received).toHaveLength(2);
    expect(failures[0]?.error.message).toMatch(/did not answer within 100 ms/);
    expect(failures[0]?.error.attempts).toBe(2);
    expect(elapsed).toBeLessThan(5000);
  });

  it('delivers to the live webhooks when another is down, and reports the dead one', async () => {
    // Prepare
    const dead = await deadUrl();
    const { instance, failures } = publisher([dead, `${base}/ok`, `${base}/flaky`]);

    // Act
    await instance.publish(notification);

    // Assess
    expect(received.filter((r) => r.path === '/ok')).toHaveLength(1);
    expect(received.filter((r) => r.path === '/flaky')).toHaveLength(3);
    expect(failures.map((f) => f.url)).toEqual([dead]);
    expect(failures[0]?.error.message).toMatch(/unreachable.*ECONNREFUSED/);
    expect(failures[0]?.error.attempts).toBe(3);
  });

  it('resolves even when the failure reporter itself throws', async () => {
    // Prepare
    const instance = new WebhookNotificationPublisher({
      urls: [`${base}/bad`],
      onDeliveryFailure: () => {
        throw new Error('reporter broken');
      },
    });

    // Act
    const publishing = instance.publish(notification);

    // Assess
    await expect(publishing).resolves.toBeUndefined();
  });
});

describe('parseWebhookUrls', () => {
  it('splits, trims, drops blanks and duplicates', () => {
    // Act
    const urls = parseWebhookUrls(
      ' http://127.0.0.1:9000/hook ,, https://example.com/a,http://127.0.0.1:9000/hook',
    );

    // Assess
    expect(urls).toEqual(['http://127.0.0.1:9000/hook', 'https://example.com/a']);
  });

  it('reads an unset or empty variable as no webhooks', () => {
    // Assess
    expect(parseWebhookUrls(undefined)).toEqual([]);
    expect(parseWebhookUrls('')).toEqual([]);
  });

  it.each([
    ['ftp://example.com/x', /entry 2 uses ftp:/],
    ['file:///etc/passwd', /entry 2 uses file:/],
    ['not a url', /entry 2 is not an absolute URL/],
  ])('refuses %s by position, without echoing it', (bad, message) => {
    // Act
    const parse = () => parseWebhookUrls(`https://example.com/ok,${bad}`);

    // Assess
    expect(parse).toThrow(ValidationError);
    expect(parse).toThrow(message);
    expect(parse).not.toThrow(bad);
  });
});
