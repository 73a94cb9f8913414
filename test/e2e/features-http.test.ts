/**
 * The feature routes over real loopback HTTP through the local API Gateway stand-in (until the lead
 * wires the capability into the local platform): ingest, then an online read whose body the handler
 * wrote as text, parsed by a real client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFeaturesHandler } from '../../lambdas/features/app';
import { featuresDeps } from '../../lambdas/features/deps';
import { featureRoutes } from '../../lambdas/features/routes';
import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { makeObservability } from '../../lambdas/shared/observability';
import { type RunningServer, startLocalHttpServer } from '../../local/http-server';
import { runningClock } from '../support/clock';
import { groupBody, record } from '../support/features';

let server: RunningServer;
let store: SqliteMetadataStore;
const clock = runningClock();

beforeAll(async () => {
  store = new SqliteMetadataStore({ path: ':memory:', clock });
  const handler = makeFeaturesHandler(featuresDeps({ store, clock }), makeObservability('features'));
  server = await startLocalHttpServer({
    host: '127.0.0.1',
    port: 0,
    capabilities: [{ name: 'features', routes: featureRoutes, handler }],
    defaultCapability: 'features',
    clock,
  });
});
afterAll(async () => {
  await server?.close();
  store?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('features over local HTTP', () => {
  it('defines, ingests and reads features', async () => {
    const eventTime = new Date(clock.now().getTime() - 60_000).toISOString();

    const created = await post('/feature-groups', groupBody());
    const ingested = await post('/feature-groups/customer/records', {
      records: [record(1, eventTime, { spend: 7.25 })],
    });
    const read = await post('/features/online', {
      features: ['customer:spend'],
      entities: [{ customer_id: 1 }, { customer_id: 2 }],
    });

    expect(created.status).toBe(201);
    expect(await ingested.json()).toMatchObject({ accepted: 1, rejected: [] });
    expect(read.headers.get('content-type')).toBe('application/json');
    expect(await read.json()).toEqual({
      results: [
        {
          entity: { customer_id: 1 },
          features: { 'customer:spend': { value: 7.25, status: 'PRESENT', eventTime } },
        },
        {
          entity: { customer_id: 2 },
          features: { 'customer:spend': { value: null, status: 'MISSING', eventTime: null } },
        },
      ],
    });
  });
});
