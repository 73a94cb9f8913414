import { describe, expect, it } from 'vitest';
import { withOptimisticRetry } from '../../../lambdas/registry/deps';
import {
  ConditionFailedError,
  NotFoundError,
  TransactionConflictError,
} from '../../../lambdas/shared/errors';
import type { WriteOp } from '../../../lambdas/shared/ports/metadata-store';
import { registryFixture, versionBody } from '../../support/registry';
import { sqliteStores } from '../../support/stores';

const fast = { baseDelayMs: 1, maxDelayMs: 2, budgetMs: 50 };

describe('registry: optimistic retry', () => {
  const sqlite = sqliteStores();

  it('retries lost conditions and store-level transaction conflicts until the attempt commits', async () => {
    const failures = [new ConditionFailedError('lost'), new TransactionConflictError('busy')];
    let tries = 0;

    const result = await withOptimisticRetry(fast, async () => {
      tries++;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'committed';
    });

    expect([result, tries]).toEqual(['committed', 3]);
  });

  it('does not retry a domain error', async () => {
    let tries = 0;

    const outcome = withOptimisticRetry(fast, async () => {
      tries++;
      throw new NotFoundError('gone');
    });

    await expect(outcome).rejects.toBeInstanceOf(NotFoundError);
    expect(tries).toBe(1);
  });

  it('gives up once the time budget is spent: the caller gets 409 and nothing is stored', async () => {
    // Each look at the clock moves it 10 ms, so the 50 ms budget allows the same few tries on any machine.
    let elapsed = 0;
    const f = registryFixture(sqlite, { deps: { retry: { ...fast, now: () => (elapsed += 10) } } });
    const inner = f.store.inner;
    await f.call('POST /models', { body: { name: 'm' } });
    const writes = f.store.committed.length;
    // Another writer commits between every read and write of this one.
    const transact = f.store.transact.bind(f.store);
    f.store.transact = async (ops: readonly WriteOp[]) => {
      await inner.put({
        pk: 'model#m',
        sk: '#model',
        data: (await inner.get({ pk: 'model#m', sk: '#model' }))!.data,
      });
      return transact(ops);
    };
    const response = await f.call('POST /models/{name}/versions', {
      params: { name: 'm' },
      body: versionBody(1),
    });

    expect(response.status).toBe(409);
    expect(response.json.type).toBe('urn:mlops:problem:concurrent-modification');
    expect(f.store.committed).toHaveLength(writes);
    expect(f.store.conflicts).toBeGreaterThan(1);
  });
});
