import { describe, expect, it } from 'vitest';
import { moveAlias } from '../../../lambdas/registry/aliases';
import { decideVersion } from '../../../lambdas/registry/approvals';
import { aliasHistoryPk, historyPk } from '../../../lambdas/registry/keys';
import { type RegistryFixture, registryFixture, versionBody } from '../../support/registry';
import { sqliteStores } from '../../support/stores';

describe('registry: aliases', () => {
  const sqlite = sqliteStores();
  /** Model m with versions 1..count; those in `approved` are Approved. */
  const setup = async (
    options: { model?: Record<string, unknown>; count?: number; approved?: number[] } = {},
  ): Promise<RegistryFixture> => {
    const f = registryFixture(sqlite);
    await f.call('POST /models', { body: { name: 'm', ...options.model } });
    for (let i = 1; i <= (options.count ?? 3); i++) {
      await f.call('POST /models/{name}/versions', { params: { name: 'm' }, body: versionBody(i) });
    }
    for (const version of options.approved ?? [1, 2]) {
      await f.call('POST /models/{name}/versions/{version}/approval', {
        params: { name: 'm', version },
        body: { decision: 'Approved', reviewer: 'r', comment: 'ok' },
        actor: 'lead',
      });
    }
    return f;
  };
  const put = (f: RegistryFixture, alias: string, version: unknown, actor = 'alice') =>
    f.call('PUT /models/{name}/aliases/{alias}', { params: { name: 'm', alias }, body: { version }, actor });
  const get = (f: RegistryFixture, alias: string, at?: string) =>
    f.call('GET /models/{name}/aliases/{alias}', {
      params: { name: 'm', alias },
      ...(at ? { query: { at } } : {}),
    });

  it('points champion at an Approved version, audits the move and emits ModelAliasMoved', async () => {
    const f = await setup();
    f.clock.advance(1_000);

    const moved = await put(f, 'champion', 1, 'bob');
    const read = await get(f, 'champion');
    const history = await f.call('GET /models/{name}/history', { params: { name: 'm' } });

    const expected = {
      model: 'm',
      alias: 'champion',
      version: 1,
      protected: true,
      since: '2026-11-28T10:00:01.000Z',
      movedBy: 'bob',
    };
    expect(moved.status).toBe(200);
    expect(moved.json).toEqual(expected);
    expect(read.json).toEqual(expected);
    expect(history.json.items[0]).toMatchObject({
      kind: 'alias-moved',
      alias: 'champion',
      from: null,
      to: 1,
      actor: 'bob',
      at: '2026-11-28T10:00:01.000Z',
    });
    expect(f.events.published.at(-1)).toMatchObject({
      detailType: 'ModelAliasMoved',
      detail: { model: 'm', alias: 'champion', from: null, to: 1, protected: true, actor: 'bob' },
    });
  });

  it('records from and to when the alias moves on, and keeps each version’s alias list current', async () => {
    const f = await setup();
    await put(f, 'champion', 1);

    await put(f, 'champion', 2, 'carol');

    const history = await f.call('GET /models/{name}/history', { params: { name: 'm' } });
    expect(history.json.items[0]).toMatchObject({ kind: 'alias-moved', from: 1, to: 2, actor: 'carol' });
    const v1 = await f.call('GET /models/{name}/versions/{version}', { params: { name: 'm', version: 1 } });
    const v2 = await f.call('GET /models/{name}/versions/{version}', { params: { name: 'm', version: 2 } });
    expect([v1.json.aliases, v2.json.aliases]).toEqual([[], ['champion']]);
    const model = await f.call('GET /models/{name}', { params: { name: 'm' } });
    expect(model.json.aliases).toEqual({ champion: 2 });
  });

  it('refuses with 409 to point champion at a version that is not Approved, saying why', async () => {
    const f = await setup();
    const writes = f.store.committed.length;

    const response = await put(f, 'champion', 3);

    expect(response.status).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.json.detail).toBe(
      'Alias champion is protected on model m: it may only point at an Approved version, and version 3 of model m is PendingApproval.',
    );
    expect(f.store.committed).toHaveLength(writes);
    expect((await get(f, 'champion')).status).toBe(404);
  });

  it('applies the rule to every alias the model declares protected, to champion always, and to no other', async () => {
    const f = await setup({ model: { protectedAliases: ['production'] } });

    const production = await put(f, 'production', 3);
    const champion = await put(f, 'champion', 3);
    const challenger = await put(f, 'challenger', 3);

    expect(production.status).toBe(409);
    // Issue 3: champion may only point at an Approved version, whatever else a model protects.
    expect(champion.status).toBe(409);
    expect(challenger.status).toBe(200);
  });

  it('refuses any alias on an Archived version', async () => {
    const f = await setup();
    await f.call('POST /models/{name}/versions/{version}/approval', {
      params: { name: 'm', version: 2 },
      body: { decision: 'Archived', reviewer: 'r', comment: 'retired' },
    });

    const response = await put(f, 'challenger', 2);

    expect(response.status).toBe(409);
    expect(response.json.detail).toBe(
      'Alias challenger cannot point at version 2 of model m: it is Archived.',
    );
  });

  it('lets only approvers move protected aliases (403), while anyone may move the others', async () => {
    const f = await setup({ model: { approvers: ['lead'] } });
    const writes = f.store.committed.length;

    const refused = await put(f, 'champion', 1, 'mallory');
    const writesAfterRefusal = f.store.committed.length;
    const unprotected = await put(f, 'shadow', 1, 'mallory');
    const allowed = await put(f, 'champion', 1, 'lead');

    expect(refused.status).toBe(403);
    expect(refused.json.detail).toContain('mallory may not move the protected alias champion');
    expect(writesAfterRefusal).toBe(writes);
    expect(unprotected.status).toBe(200);
    expect(allowed.json).toMatchObject({ version: 1, movedBy: 'lead' });
  });

  it('treats a move to where the alias points already as done: no audit entry, no event', async () => {
    const f = await setup();
    await put(f, 'champion', 1);
    const writes = f.store.committed.length;
    const published = f.events.published.length;

    const again = await put(f, 'champion', 1);

    expect(again.status).toBe(200);
    expect(f.store.committed).toHaveLength(writes);
    expect(f.events.published).toHaveLength(published);
  });

  it('answers ?at= with the version the alias pointed at then', async () => {
    const f = await setup();
    f.clock.advance(1_000); // 10:00:01
    await put(f, 'champion', 1);
    f.clock.advance(60_000); // 10:01:01
    await put(f, 'champion', 2);
    f.clock.advance(60_000); // 10:02:01
    await put(f, 'champion', 1);

    const at = async (instant: string) => {
      const response = await get(f, 'champion', instant);
      return response.status === 200 ? response.json.version : response.status;
    };

    expect(await at('2026-11-28T10:00:00.999Z')).toBe(404);
    expect(await at('2026-11-28T10:00:01.000Z')).toBe(1);
    expect(await at('2026-11-28T10:01:00.999Z')).toBe(1);
    expect(await at('2026-11-28T10:01:01.000Z')).toBe(2);
    expect(await at('2026-11-28T12:01:01.500+02:00')).toBe(2);
    expect(await at('2026-11-28T10:02:01.000Z')).toBe(1);
    expect(await at('2030-01-01T00:00:00Z')).toBe(1);
    expect(await at('1969-12-31T23:59:59Z')).toBe(404);
    expect((await get(f, 'champion', '2026-11-28T10:01:30Z')).json).toEqual({
      model: 'm',
      alias: 'champion',
      version: 2,
      protected: true,
      since: '2026-11-28T10:01:01.000Z',
      movedBy: 'alice',
      at: '2026-11-28T10:01:30.000Z',
    });
  });

  it('refuses a malformed ?at= naming query.at, and a bad alias or version naming its field', async () => {
    const f = await setup();
    const writes = f.store.committed.length;

    const badAt = await get(f, 'champion', 'yesterday');
    const badAlias = await put(f, '1st', 1);
    const badVersion = await put(f, 'champion', 0);

    expect(badAt.json.errors).toEqual([expect.objectContaining({ field: 'query.at' })]);
    expect(badAlias.json.errors).toEqual([expect.objectContaining({ field: 'params.alias' })]);
    expect(badVersion.json.errors).toEqual([expect.objectContaining({ field: 'body.version' })]);
    expect(f.store.committed).toHaveLength(writes);
  });

  it('answers 404 for an alias never set, a missing version and a missing model', async () => {
    const f = await setup();

    const never = await get(f, 'champion');
    const noVersion = await put(f, 'challenger', 42);
    const noModel = await f.call('PUT /models/{name}/aliases/{alias}', {
      params: { name: 'ghost', alias: 'champion' },
      body: { version: 1 },
    });

    expect(never.json.detail).toBe('Model m has no alias champion.');
    expect([never.status, noVersion.status, noModel.status]).toEqual([404, 404, 404]);
  });

  it('leaves the alias on one requested version after concurrent moves, with a history that agrees', async () => {
    const f = await setup({ count: 6, approved: [1, 2, 3, 4, 5, 6] });
    const requests = Array.from({ length: 24 }, (_, i) => (i % 6) + 1);

    const outcomes = await Promise.all(
      requests.map((version, i) => moveAlias(f.deps, 'm', 'champion', version, `writer-${i}`)),
    );

    expect(f.store.conflicts).toBeGreaterThan(0);
    const final = (await get(f, 'champion')).json.version;
    expect(requests).toContain(final);
    const history = (await f.store.query(aliasHistoryPk('m', 'champion'), { limit: 1000 })).items.map(
      (item) => item.data as { version: number; from: number | null },
    );
    // Oldest first: each entry starts where the one before it ended, and the newest is where the alias is.
    expect(history[0]?.from).toBeNull();
    for (let i = 1; i < history.length; i++) expect(history[i]?.from).toBe(history[i - 1]?.version);
    expect(history.at(-1)?.version).toBe(final);
    const audit = (await f.store.query(historyPk('m'), { limit: 1000 })).items
      .map((item) => item.data)
      .filter((entry) => entry.kind === 'alias-moved');
    expect(audit.map((entry) => [entry.from, entry.to])).toEqual(
      history.map((entry) => [entry.from, entry.version]),
    );
    expect(outcomes.every((outcome) => requests.includes(outcome.version))).toBe(true);
    const versions = await f.call('GET /models/{name}/versions', { params: { name: 'm' } });
    const holders = versions.json.items.filter((v: { aliases: string[] }) => v.aliases.includes('champion'));
    expect(holders.map((v: { version: number }) => v.version)).toEqual([final]);
    expect(f.events.types().filter((type) => type === 'ModelAliasMoved')).toHaveLength(history.length);
  });

  it('serialises an archive racing an alias move: the alias never ends on an Archived version', async () => {
    const f = await setup();

    const [move, archive] = await Promise.allSettled([
      moveAlias(f.deps, 'm', 'challenger', 2, 'alice'),
      decideVersion(f.deps, 'm', 2, { decision: 'Archived', reviewer: 'r', comment: 'retire' }, 'bob'),
    ]);

    const version = (
      await f.call('GET /models/{name}/versions/{version}', { params: { name: 'm', version: 2 } })
    ).json;
    const alias = await get(f, 'challenger');
    expect([move.status, archive.status].sort()).toEqual(['fulfilled', 'rejected']);
    if (alias.status === 200) expect(version.status).toBe('Approved');
    else expect(version.status).toBe('Archived');
  });

  it('answers ?at=<since of a move> with that move, even when the clock ticks between reads', async () => {
    const f = await setup();
    // A clock that moves 1 ms every time anyone looks at it: the worst case for reading it twice.
    const read = f.clock.now;
    (f.clock as { now: () => Date }).now = () => {
      f.clock.advance(1);
      return read();
    };
    await put(f, 'challenger', 1);
    const moved = await put(f, 'challenger', 2);

    const at = await get(f, 'challenger', moved.json.since);

    expect(at.json).toMatchObject({ version: 2, since: moved.json.since });
  });
});
