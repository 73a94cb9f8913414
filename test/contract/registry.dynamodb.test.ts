/**
 * The registry core on the cloud adapter: DynamoDB Local, through DynamoDbMetadataStore's conditional
 * transactions. The unit tests prove the rules on SQLite; this file proves the two guarantees that
 * depend on the store's concurrency control and key conditions: gap-free versions under concurrent
 * writers, and `?at=` answered from the alias history with a range query.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getAlias, moveAlias } from '../../lambdas/registry/aliases';
import { decideVersion } from '../../lambdas/registry/approvals';
import { DEFAULT_RETRY } from '../../lambdas/registry/deps';
import { AliasNotFoundError } from '../../lambdas/registry/errors';
import { aliasHistoryPk, historyPk, statusIndexPk, VERSION_PREFIX } from '../../lambdas/registry/keys';
import { createModel } from '../../lambdas/registry/models';
import { registerVersion } from '../../lambdas/registry/versions';
import { DynamoDbMetadataStore } from '../../lambdas/shared/adapters/aws/dynamodb-metadata-store';
import { type DynamoDbLocal, startDynamoDbLocal } from '../support/dynamodb-local';
import { type RegistryFixture, registryFixture, versionBody } from '../support/registry';

let emulator: DynamoDbLocal;

beforeAll(async () => {
  emulator = await startDynamoDbLocal();
});
afterAll(async () => {
  await emulator?.stop();
});

describe('registry core on DynamoDB (DynamoDB Local)', () => {
  let f: RegistryFixture;

  beforeEach(async () => {
    const tableName = `registry-${randomUUID()}`;
    await emulator.createMetadataTable(tableName);
    // DynamoDB Local takes ~130 ms a transaction and slows further while other test files run; the
    // invariant under test is "no gap, no duplicate", so the retry budget is wide, not the 5 s default.
    f = registryFixture(
      (clock) => new DynamoDbMetadataStore({ tableName, client: emulator.docClient, clock }),
      {
        deps: { retry: { ...DEFAULT_RETRY, budgetMs: 60_000 } },
      },
    );
    await createModel(f.deps, { name: 'm', protectedAliases: ['champion'] }, 'alice');
  });

  const register = (seed: string, actor = 'ci') =>
    registerVersion(f.deps, 'm', { ...versionBody(seed), metrics: {}, params: {} }, actor);
  const approve = (version: number) =>
    decideVersion(f.deps, 'm', version, { decision: 'Approved', reviewer: 'r', comment: 'ok' }, 'alice');

  it('gives 8 concurrent writers × 10 registrations exactly versions 1..80, each audited once', async () => {
    const writer = async (w: number) => {
      const got: number[] = [];
      for (let i = 0; i < 10; i++) got.push((await register(`${w}-${i}`, `writer-${w}`)).version);
      return got;
    };

    const returned = (await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)))).flat();

    const expected = Array.from({ length: 80 }, (_, i) => i + 1);
    expect(f.store.conflicts).toBeGreaterThan(0);
    expect([...returned].sort((a, b) => a - b)).toEqual(expected);
    const versions = await f.store.query('model#m', { prefix: VERSION_PREFIX, limit: 1000 });
    expect(versions.items.map((item) => item.data.version)).toEqual(expected);
    const audit = await f.store.query(historyPk('m'), { limit: 1000 });
    const registered = audit.items.filter((item) => item.data.kind === 'version-registered');
    expect(registered.map((item) => Number(item.data.version)).sort((a, b) => a - b)).toEqual(expected);
    expect((await f.store.query(statusIndexPk('m', 'PendingApproval'), { limit: 1000 })).items).toHaveLength(
      80,
    );
    expect((await f.store.get({ pk: 'model#m', sk: '#model' }))?.data.latestVersion).toBe(80);
    // DynamoDB Local takes about 130 ms per TransactWriteItems even uncontended, so 80 serialized
    // commits need some 7 s here (real DynamoDB: about 10–20 ms each).
  }, 60_000);

  it('answers ?at= from the alias history with a range query', async () => {
    for (const seed of ['a', 'b']) await register(seed);
    await approve(1);
    await approve(2);
    f.clock.advance(1_000);
    await moveAlias(f.deps, 'm', 'champion', 1, 'alice');
    f.clock.advance(1_000);
    await moveAlias(f.deps, 'm', 'champion', 2, 'bob');
    const t0 = Date.parse('2026-11-28T10:00:00.000Z');

    const before = await getAlias(f.deps, 'm', 'champion', new Date(t0 + 999)).catch(
      (error: unknown) => error,
    );
    const first = await getAlias(f.deps, 'm', 'champion', new Date(t0 + 1_000));
    const lastMsOfFirst = await getAlias(f.deps, 'm', 'champion', new Date(t0 + 1_999));
    const second = await getAlias(f.deps, 'm', 'champion', new Date(t0 + 2_000));
    const now = await getAlias(f.deps, 'm', 'champion');

    expect(before).toBeInstanceOf(AliasNotFoundError);
    expect([first.version, lastMsOfFirst.version, second.version, now.version]).toEqual([1, 1, 2, 2]);
    expect(second).toMatchObject({ movedBy: 'bob', since: '2026-11-28T10:00:02.000Z' });
  });

  it('serialises concurrent alias moves: the alias ends on a requested version and its history agrees', async () => {
    for (const seed of ['a', 'b', 'c']) await register(seed);
    for (const version of [1, 2, 3]) await approve(version);
    const requests = [1, 2, 3, 1, 2, 3];

    await Promise.all(
      requests.map((version, i) => moveAlias(f.deps, 'm', 'champion', version, `mover-${i}`)),
    );

    const final = (await getAlias(f.deps, 'm', 'champion')).version;
    const history = (await f.store.query(aliasHistoryPk('m', 'champion'), { limit: 100 })).items.map(
      (item) => item.data as { version: number; from: number | null },
    );
    expect(requests).toContain(final);
    expect(history[0]?.from).toBeNull();
    for (let i = 1; i < history.length; i++) expect(history[i]?.from).toBe(history[i - 1]?.version);
    expect(history.at(-1)?.version).toBe(final);
  });
});
