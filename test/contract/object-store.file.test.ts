import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import { manualClock } from '../support/clock';
import { describeObjectStoreContract } from './object-store.contract';

describeObjectStoreContract('files', async (clock) => {
  const root = await mkdtemp(join(tmpdir(), 'file-object-store-'));
  return {
    store: new FileObjectStore({ root: join(root, 'objects'), clock }),
    // A path below a regular file: every file system call fails with ENOTDIR.
    unreachable: new FileObjectStore({ root: join(fileURLToPath(import.meta.url), 'objects'), clock }),
    storeNow: async () => clock.now(),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FileObjectStore', () => {
  const withStore = async (run: (store: FileObjectStore) => Promise<void>) => {
    const root = await mkdtemp(join(tmpdir(), 'file-object-store-'));
    try {
      await run(new FileObjectStore({ root, clock: manualClock() }));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  };

  it('names each object by a file:// URI whose file holds exactly the bytes', () =>
    withStore(async (store) => {
      await store.put('models/m-1/model.json', '{"weights":[1]}');

      const uri = store.uriOf('models/m-1/model.json');

      expect(uri).toMatch(/^file:\/\/\/.*\/model\.json$/);
      expect(await readFile(fileURLToPath(uri), 'utf8')).toBe('{"weights":[1]}');
    }));

  // s3rver cannot hold these keys (it joins paths and has file-name limits); S3 and this store can.
  it('holds empty segments and 1,024-character keys, and lists them', () =>
    withStore(async (store) => {
      const long = `deep/${'x'.repeat(1019)}`;
      const manySegments = `${'s/'.repeat(511)}zz`;
      const keys = ['e/a//b', 'e/a/b', long, manySegments];
      for (const key of keys) await store.put(key, key);

      const bodies = await Promise.all(
        keys.map(async (key) => Buffer.from((await store.get(key))?.body ?? []).toString()),
      );

      expect(bodies).toEqual(keys);
      expect((await store.list('e/')).items.map((item) => item.key)).toEqual(['e/a//b', 'e/a/b']);
      expect((await store.list('deep/x')).items.map((item) => item.key)).toEqual([long]);
      expect((await store.list('s/s/')).items.map((item) => item.key)).toEqual([manySegments]);
    }));
});
