import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { createManualClock, describeMetadataStoreContract } from './metadata-store.contract';

describeMetadataStoreContract('SQLite (in memory)', async () => {
  const clock = createManualClock();
  const store = new SqliteMetadataStore({ path: ':memory:', now: clock.now });
  return { store, clock, dispose: async () => store.close() };
});

describe('SqliteMetadataStore on a file', () => {
  it('creates missing folders and keeps items across reopening', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
    const path = join(home, 'nested', 'deeper', 'metadata.sqlite');
    try {
      const first = new SqliteMetadataStore({ path });
      await first.put({ pk: 'p', sk: 's', data: { kept: true } });
      first.close();

      const second = new SqliteMetadataStore({ path });
      const item = await second.get({ pk: 'p', sk: 's' });
      second.close();

      expect(item).toEqual({ pk: 'p', sk: 's', rev: 1, data: { kept: true } });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
