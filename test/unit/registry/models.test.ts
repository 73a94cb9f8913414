import { describe, expect, it } from 'vitest';
import { type RegistryFixture, registryFixture } from '../../support/registry';
import { sqliteStores } from '../../support/stores';

describe('registry: models', () => {
  const sqlite = sqliteStores();
  const setup = (): RegistryFixture => {
    return registryFixture(sqlite);
  };

  it('creates a model with its card, champion protected by default, and audits the creation', async () => {
    const { call } = setup();
    const card = {
      purpose: 'churn',
      intendedUse: 'weekly scoring',
      limitations: 'EU only',
      owner: 'ds-team',
    };

    const created = await call('POST /models', {
      body: { name: 'churn-model', description: 'Churn', tags: { team: 'ds' }, card },
      actor: 'bob',
    });
    const read = await call('GET /models/{name}', { params: { name: 'churn-model' } });
    const history = await call('GET /models/{name}/history', { params: { name: 'churn-model' } });

    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      name: 'churn-model',
      description: 'Churn',
      tags: { team: 'ds' },
      card,
      protectedAliases: ['champion'],
      latestVersion: 0,
      createdAt: '2026-11-28T10:00:00.000Z',
      createdBy: 'bob',
      updatedAt: '2026-11-28T10:00:00.000Z',
    });
    expect(read.json).toEqual({ ...created.json, aliases: {} });
    expect(history.json.items).toEqual([
      expect.objectContaining({ kind: 'model-created', actor: 'bob', model: 'churn-model' }),
    ]);
  });

  it('answers 409 to a second model of the same name and keeps the first', async () => {
    const { call, store } = setup();
    await call('POST /models', { body: { name: 'm', description: 'first' } });
    const writes = store.committed.length;

    const again = await call('POST /models', { body: { name: 'm', description: 'second' } });

    expect(again.status).toBe(409);
    expect(again.contentType).toBe('application/problem+json');
    expect(again.json.detail).toBe('Model m already exists.');
    expect(store.committed).toHaveLength(writes);
    expect((await call('GET /models/{name}', { params: { name: 'm' } })).json.description).toBe('first');
  });

  it.each([
    ['', 'empty'],
    ['-leading-dash', 'a leading dash'],
    ['has space', 'a space'],
    ['has#hash', 'a hash'],
    ['x'.repeat(129), '129 characters'],
  ])('refuses the name %j (%s) naming body.name, and stores nothing', async (name) => {
    const { call, store } = setup();

    const response = await call('POST /models', { body: { name } });

    expect(response.status).toBe(400);
    expect(response.json.errors).toEqual([expect.objectContaining({ field: 'body.name' })]);
    expect(store.committed).toEqual([]);
  });

  it('accepts names of 1 and 128 characters with dots, dashes and underscores', async () => {
    const { call } = setup();

    const short = await call('POST /models', { body: { name: 'a' } });
    const long = await call('POST /models', { body: { name: `A0._-${'z'.repeat(123)}` } });

    expect([short.status, long.status]).toEqual([201, 201]);
  });

  it('names every field at fault in a bad create: unknown card field, bad tag, bad alias, empty approvers', async () => {
    const { call, store } = setup();

    const response = await call('POST /models', {
      body: {
        name: 'm',
        card: { purpose: 'x', colour: 'red' },
        tags: { 'bad key!': 'v' },
        protectedAliases: ['1st'],
        approvers: [],
        extra: true,
      },
    });

    expect(response.status).toBe(400);
    const fields = response.json.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'body.card.colour',
        'body.tags.bad key!',
        'body.protectedAliases.0',
        'body.approvers',
        'body.extra',
      ]),
    );
    expect(store.committed).toEqual([]);
  });

  it('keeps the protected aliases and approvers it is given', async () => {
    const { call } = setup();

    const created = await call('POST /models', {
      body: {
        name: 'm',
        protectedAliases: ['champion', 'prod', 'prod'],
        approvers: ['arn:aws:iam::1:role/lead'],
      },
    });

    expect(created.json).toMatchObject({
      protectedAliases: ['champion', 'prod'],
      approvers: ['arn:aws:iam::1:role/lead'],
    });
  });

  it('lists models in name order across pages; the last page has no nextToken', async () => {
    const { call } = setup();
    for (const name of ['delta', 'alpha', 'charlie', 'bravo', 'echo'])
      await call('POST /models', { body: { name } });

    const first = await call('GET /models', { query: { limit: '2' } });
    const second = await call('GET /models', { query: { limit: '2', nextToken: first.json.nextToken } });
    const third = await call('GET /models', { query: { limit: '2', nextToken: second.json.nextToken } });

    const names = [first, second, third].flatMap((page) =>
      page.json.items.map((m: { name: string }) => m.name),
    );
    expect(names).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(third.json.nextToken).toBeUndefined();
  });

  it('refuses a limit outside 1..1000 and a forged nextToken', async () => {
    const { call } = setup();

    const zero = await call('GET /models', { query: { limit: '0' } });
    const big = await call('GET /models', { query: { limit: '1001' } });
    const forged = await call('GET /models', { query: { nextToken: 'bm90IGEgdG9rZW4' } });

    expect(zero.json.errors).toEqual([expect.objectContaining({ field: 'query.limit' })]);
    expect(big.json.errors).toEqual([expect.objectContaining({ field: 'query.limit' })]);
    expect(forged.status).toBe(400);
    expect(forged.json.errors).toEqual([expect.objectContaining({ field: 'query.nextToken' })]);
  });

  it('answers 404 for a model that does not exist', async () => {
    const { call } = setup();

    const response = await call('GET /models/{name}', { params: { name: 'ghost' } });

    expect(response.status).toBe(404);
    expect(response.json.detail).toBe('Model ghost does not exist.');
  });
});
