import { describe, expect, it } from 'vitest';
import { historyPk, statusIndexPk } from '../../../lambdas/registry/keys';
import { listVersions, registerVersion } from '../../../lambdas/registry/versions';
import { type RegistryFixture, registryFixture, sha, versionBody } from '../../support/registry';
import { sqliteStores } from '../../support/stores';

describe('registry: versions', () => {
  const sqlite = sqliteStores();
  const setup = async (name = 'm'): Promise<RegistryFixture> => {
    const fixture = registryFixture(sqlite);
    await fixture.call('POST /models', { body: { name } });
    return fixture;
  };

  it('registers version 1 as PendingApproval with everything it was given, and audits it', async () => {
    const { call } = await setup();
    const body = versionBody(1, {
      artifactSha256: sha(1).toUpperCase(),
      metrics: { auc: 0.91, loss: 1e-5 },
      params: { depth: 6, objective: 'binary:logistic', early: true },
      signature: { inputs: [{ name: 'age', type: 'double' }], outputs: [{ name: 'p', type: 'double' }] },
      description: 'first',
    });

    const created = await call('POST /models/{name}/versions', { params: { name: 'm' }, body, actor: 'ci' });
    const read = await call('GET /models/{name}/versions/{version}', { params: { name: 'm', version: 1 } });
    const history = await call('GET /models/{name}/history', { params: { name: 'm' } });

    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      ...body,
      artifactSha256: sha(1),
      model: 'm',
      version: 1,
      status: 'PendingApproval',
      aliases: [],
      createdAt: '2026-11-28T10:00:00.000Z',
      createdBy: 'ci',
      updatedAt: '2026-11-28T10:00:00.000Z',
    });
    expect(read.json).toEqual(created.json);
    expect(history.json.items[0]).toMatchObject({
      kind: 'version-registered',
      version: 1,
      actor: 'ci',
      artifactSha256: sha(1),
    });
  });

  it('numbers versions 1, 2, 3 and keeps latestVersion on the model', async () => {
    const { call } = await setup();

    const versions = [];
    for (let i = 1; i <= 3; i++) {
      versions.push(
        (await call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(i) })).json
          .version,
      );
    }

    expect(versions).toEqual([1, 2, 3]);
    expect((await call('GET /models/{name}', { params: { name: 'm' } })).json.latestVersion).toBe(3);
  });

  it('publishes ModelVersionRegistered after the commit', async () => {
    const { call, events } = await setup();

    await call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(1), actor: 'ci' });

    expect(events.published).toEqual([
      {
        source: 'mlops.registry',
        detailType: 'ModelVersionRegistered',
        detail: {
          model: 'm',
          version: 1,
          status: 'PendingApproval',
          artifactUri: versionBody(1).artifactUri,
          artifactSha256: sha(1),
          actor: 'ci',
        },
        time: '2026-11-28T10:00:00.000Z',
      },
    ]);
  });

  it('answers 201 without waiting for a bus that hangs, and keeps the events as pending', async () => {
    const hungBus = { publish: () => new Promise<void>(() => undefined) };
    const f = registryFixture(sqlite, { deps: { events: hungBus, publishTimeoutMs: 20 } });
    const store = f.store;
    await f.call('POST /models', { body: { name: 'm' } });

    const created = await f.call('POST /models/{name}/versions', {
      params: { name: 'm' },
      body: versionBody(1),
    });
    const pending = await store.query('events#pending');

    expect(created.status).toBe(201);
    expect(pending.items).toHaveLength(1);
    expect(pending.items[0]?.data.error).toBe('Error: The event bus did not answer within 20 ms.');
  });

  it('answers 201 when publishing fails, and keeps the events as pending', async () => {
    const { call, events, store } = await setup();
    events.failures = 1;

    const created = await call('POST /models/{name}/versions', {
      params: { name: 'm' },
      body: versionBody(1),
    });
    const pending = await store.query('events#pending');

    expect(created.status).toBe(201);
    expect(events.published).toEqual([]);
    expect(pending.items).toHaveLength(1);
    expect(pending.items[0]?.data).toMatchObject({
      events: [
        expect.objectContaining({
          detailType: 'ModelVersionRegistered',
          detail: expect.objectContaining({ version: 1 }),
        }),
      ],
      error: 'Error: EventBridge is down',
    });
  });

  it('answers 404 for an unknown model and stores nothing', async () => {
    const { call, store } = await setup();
    const writes = store.committed.length;

    const response = await call('POST /models/{name}/versions', {
      params: { name: 'ghost' },
      body: versionBody(1),
    });

    expect(response.status).toBe(404);
    expect(store.committed).toHaveLength(writes);
  });

  it('names each bad field (hash, lineage, metrics, unknown) with a 400 and stores nothing', async () => {
    const { call, store, events } = await setup();
    const writes = store.committed.length;

    const response = await call('POST /models/{name}/versions', {
      params: { name: 'm' },
      body: {
        artifactUri: '',
        artifactSha256: 'abc',
        metrics: { auc: 'high', tiny: 1e-200 },
        lineage: {
          datasets: [{ uri: 's3://d', sha256: 'nothex' }],
          featureGroups: [{ name: 'f', version: 0 }],
        },
        colour: 'red',
      },
    });

    expect(response.status).toBe(400);
    const fields = response.json.errors.map((error: { field: string }) => error.field).sort();
    expect(fields).toEqual([
      'body.artifactSha256',
      'body.artifactUri',
      'body.colour',
      'body.lineage.datasets.0.sha256',
      'body.lineage.featureGroups.0.version',
      'body.metrics.auc',
      'body.metrics.tiny',
    ]);
    expect(store.committed).toHaveLength(writes);
    expect(events.published).toEqual([]);
    expect((await call('GET /models/{name}', { params: { name: 'm' } })).json.latestVersion).toBe(0);
  });

  it('refuses a version record too large for one item, naming the body', async () => {
    const { call, store } = await setup();
    const writes = store.committed.length;
    const params = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, 'x'.repeat(4000)]));

    const response = await call('POST /models/{name}/versions', {
      params: { name: 'm' },
      body: versionBody(1, { params }),
    });

    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([expect.objectContaining({ field: 'body', rule: 'max_size' })]);
    expect(store.committed).toHaveLength(writes);
  });

  it('refuses a version path that is not a positive number', async () => {
    const { call } = await setup();

    const responses = [];
    for (const version of ['0', '01', '-1', 'one', '1.5', '12345678901']) {
      responses.push(await call('GET /models/{name}/versions/{version}', { params: { name: 'm', version } }));
    }

    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(response.json.errors).toEqual([expect.objectContaining({ field: 'params.version' })]);
    }
  });

  it('answers 404 for a missing version of an existing model', async () => {
    const { call } = await setup();

    const response = await call('GET /models/{name}/versions/{version}', {
      params: { name: 'm', version: 7 },
    });

    expect(response.status).toBe(404);
    expect(response.json.detail).toBe('Model m has no version 7.');
  });

  it('lists versions in order, newest first on request, by status, across pages', async () => {
    const { call } = await setup();
    for (let i = 1; i <= 5; i++)
      await call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(i) });
    for (const version of [2, 4, 5]) {
      await call('POST /models/{name}/versions/{version}/approval', {
        params: { name: 'm', version },
        body: { decision: 'Approved', reviewer: 'r', comment: 'ok' },
      });
    }
    const list = async (query: Record<string, string>) => {
      const versions: number[] = [];
      let nextToken: string | undefined;
      do {
        const page = await call('GET /models/{name}/versions', {
          params: { name: 'm' },
          query: { ...query, limit: '2', ...(nextToken ? { nextToken } : {}) },
        });
        versions.push(...page.json.items.map((v: { version: number }) => v.version));
        nextToken = page.json.nextToken;
      } while (nextToken);
      return versions;
    };

    expect(await list({})).toEqual([1, 2, 3, 4, 5]);
    expect(await list({ order: 'desc' })).toEqual([5, 4, 3, 2, 1]);
    expect(await list({ status: 'Approved' })).toEqual([2, 4, 5]);
    expect(await list({ status: 'PendingApproval', order: 'desc' })).toEqual([3, 1]);
    expect(await list({ status: 'Archived' })).toEqual([]);
  });

  it('refuses an unknown status filter naming query.status', async () => {
    const { call } = await setup();

    const response = await call('GET /models/{name}/versions', {
      params: { name: 'm' },
      query: { status: 'Live' },
    });

    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([expect.objectContaining({ field: 'query.status' })]);
  });

  it('leaves out of a status page a version whose status changed between index and item reads', async () => {
    const { deps, store, clock } = await setup();
    const fixture = registryFixture(() => store.inner, { clock, deps: { store } });
    await fixture.call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(1) });
    // A stale index entry: as if the decision committed between the two reads of a listing.
    await store.put({ pk: statusIndexPk('m', 'Approved'), sk: '0000000001', data: { version: 1 } });

    const page = await listVersions(deps, 'm', { limit: 10, status: 'Approved' });

    expect(page.items).toEqual([]);
  });

  it('gives 16 concurrent writers × 25 registrations exactly versions 1..400 and 400 audit entries', async () => {
    // The core, not the HTTP edge: Powertools' shared Metrics instance warns when concurrent
    // invocations of one handler flush each other's metrics, which only adds noise here.
    const { deps, store, events } = await setup();
    const writer = async (w: number) => {
      const got: number[] = [];
      for (let i = 0; i < 25; i++) {
        const input = { ...versionBody(`${w}-${i}`), metrics: {}, params: {} };
        got.push((await registerVersion(deps, 'm', input, `writer-${w}`)).version);
      }
      return got;
    };

    const returned = (await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)))).flat();

    expect(store.conflicts).toBeGreaterThan(0);
    const expected = Array.from({ length: 400 }, (_, i) => i + 1);
    expect([...returned].sort((a, b) => a - b)).toEqual(expected);
    const stored = await store.query('model#m', { prefix: 'version#', limit: 1000 });
    expect(stored.items.map((item) => item.data.version)).toEqual(expected);
    const audit = await store.query(historyPk('m'), { limit: 1000 });
    const registered = audit.items.filter((item) => item.data.kind === 'version-registered');
    expect(registered.map((item) => item.data.version).sort((a, b) => Number(a) - Number(b))).toEqual(
      expected,
    );
    expect(audit.items).toHaveLength(401);
    const pending = await store.query(statusIndexPk('m', 'PendingApproval'), { limit: 1000 });
    expect(pending.items).toHaveLength(400);
    expect(events.published).toHaveLength(400);
    expect((await store.get({ pk: 'model#m', sk: '#model' }))?.data.latestVersion).toBe(400);
  });
});
