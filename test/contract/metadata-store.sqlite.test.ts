import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteMetadataStore } from '../../lambdas/shared/adapters/embedded/sqlite-metadata-store';
import { manualClock } from '../support/clock';
import { describeMetadataStoreContract } from './metadata-store.contract';

describeMetadataStoreContract('SQLite (in memory)', async () => {
  const clock = manualClock();
  const store = new SqliteMetadataStore({ path: ':memory:', clock });
  return { store, clock, dispose: async () => store.close() };
});

describe('SqliteMetadataStore on a file', () => {
  it('creates missing folders and keeps items across reopening', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
    const path = join(home, 'nested', 'deeper', 'metadata.sqlite');
    try {
      const first = new SqliteMetadataStore({ path, clock: manualClock() });
      await first.put({ pk: 'p', sk: 's', data: { kept: true } });
      first.close();

      const second = new SqliteMetadataStore({ path, clock: manualClock() });
      const item = await second.get({ pk: 'p', sk: 's' });
      second.close();

      expect(item).toEqual({ pk: 'p', sk: 's', rev: 1, data: { kept: true } });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('opens a file made before putIfNewer existed, and keeps its items newest-wins', async () => {
    const home = await mkdtemp(join(tmpdir(), 'sqlite-store-'));
    const path = join(home, 'metadata.sqlite');
    try {
      const old = new Database(path);
      old.exec(
        'CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, rev INTEGER NOT NULL, data TEXT NOT NULL, expires_at INTEGER, PRIMARY KEY (pk, sk)) WITHOUT ROWID',
      );
      old.prepare('INSERT INTO items VALUES (?, ?, 3, ?, NULL)').run('p', 's', '{"at":10,"text":"a"}');
      old.close();

      const store = new SqliteMetadataStore({ path, clock: manualClock() });
      const order = { number: 'at', tieBreak: 'text' };
      const written = [
        ...(await store.putIfNewer([{ pk: 'p', sk: 's', data: { at: 9, text: 'z' } }], order)),
        ...(await store.putIfNewer([{ pk: 'p', sk: 's', data: { at: 11, text: 'a' } }], order)),
      ];
      const item = await store.get({ pk: 'p', sk: 's' });
      store.close();

      expect(written).toEqual([false, true]);
      expect(item).toEqual({ pk: 'p', sk: 's', rev: 4, data: { at: 11, text: 'a' } });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
