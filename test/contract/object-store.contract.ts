/**
 * The one behaviour every ObjectStore adapter must show; each adapter's test file runs it. Tests get
 * a fresh, empty store, and the same adapter pointed at a backend it cannot reach (to prove that bad
 * input is refused before any I/O).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../lambdas/shared/errors';
import type { Clock } from '../../lambdas/shared/ports/clock';
import type { ListOptions, ObjectStore } from '../../lambdas/shared/ports/object-store';
import { manualClock } from '../support/clock';

export interface ObjectStoreFixture {
  readonly store: ObjectStore;
  /** Same adapter, but every I/O fails (missing folder, closed port). */
  readonly unreachable: ObjectStore;
  /** The store's own clock, the one its lastModified comes from (not necessarily the process's). */
  storeNow(): Promise<Date>;
  dispose(): Promise<void>;
}

const md5Etag = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;

const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  const outcome = await promise.then(
    () => ({ fulfilled: true as const }),
    (error: unknown) => ({ fulfilled: false as const, error }),
  );
  expect(outcome.fulfilled, 'expected a rejection').toBe(false);
  return outcome.fulfilled ? undefined : outcome.error;
};

/** `makeStore` builds the adapter on `clock`, the composition root's one time source. */
export const describeObjectStoreContract = (
  name: string,
  makeStore: (clock: Clock) => Promise<ObjectStoreFixture>,
) =>
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let unreachable: ObjectStore;
    let storeNow: () => Promise<Date>;
    let dispose: () => Promise<void>;

    beforeEach(async () => {
      ({ store, unreachable, storeNow, dispose } = await makeStore(manualClock()));
    });
    afterEach(async () => {
      await dispose();
    });

    const keysOf = async (prefix: string, options?: ListOptions) =>
      (await store.list(prefix, options)).items.map((item) => item.key);
    const allPages = async (prefix: string, limit: number) => {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list(prefix, { limit, cursor });
        pages.push(page.items.map((item) => item.key));
        cursor = page.cursor;
      } while (cursor !== undefined && pages.length < 50);
      return pages;
    };

    it('answers undefined to get and head of a missing key', async () => {
      expect(await store.get('missing/key')).toBeUndefined();
      expect(await store.head('missing/key')).toBeUndefined();
    });

    it('round-trips binary bodies, zero bytes included, with an S3-style etag', async () => {
      const body = new Uint8Array([0, 0, 255, 1, 0, ...Array.from({ length: 300 }, (_, i) => i % 256), 0]);

      const written = await store.put('bin/data.bin', body);
      const read = await store.get('bin/data.bin');

      expect(read?.body).toEqual(body);
      expect(read).toMatchObject({ key: 'bin/data.bin', size: body.byteLength, etag: md5Etag(body) });
      expect(written).toMatchObject({ key: 'bin/data.bin', size: body.byteLength, etag: md5Etag(body) });
    });

    it('stores a string as its UTF-8 bytes', async () => {
      const text = 'héllo ☕ 😀\n';

      await store.put('text/hello.txt', text);
      const read = await store.get('text/hello.txt');

      expect(Buffer.from(read?.body ?? []).toString('utf8')).toBe(text);
      expect(read?.size).toBe(Buffer.byteLength(text));
    });

    it('keeps content type and metadata, and head agrees with get', async () => {
      const options = { contentType: 'application/json', metadata: { 'model-id': 'm-1', stage: 'Prod 2' } };
      const before = (await storeNow()).getTime();

      const written = await store.put('models/m-1/model.json', '{"w":[1,2]}', options);
      const head = await store.head('models/m-1/model.json');
      const read = await store.get('models/m-1/model.json');
      const after = (await storeNow()).getTime();

      expect(head).toMatchObject({ ...options, key: 'models/m-1/model.json', size: 11, etag: written.etag });
      expect(read).toMatchObject({ ...options, size: 11, etag: written.etag });
      // Stamped by the store's own clock, in S3's whole seconds.
      expect(read?.lastModified).toEqual(head?.lastModified);
      expect(head?.lastModified.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
      expect(head?.lastModified.getTime()).toBeLessThanOrEqual(after + 1000);
    });

    it('defaults the content type to application/octet-stream and metadata to none', async () => {
      await store.put('plain', 'x');

      expect(await store.head('plain')).toMatchObject({
        contentType: 'application/octet-stream',
        metadata: {},
      });
    });

    it('rejects metadata S3 would alter: upper-case names, non-ASCII values, surrounding blanks', async () => {
      const attempts = [
        store.put('k', 'x', { metadata: { Owner: 'a' } }),
        store.put('k', 'x', { metadata: { owner: 'é' } }),
        store.put('k', 'x', { metadata: { owner: ' padded ' } }),
        store.put('k', 'x', { contentType: 'text/plain\nx-evil: 1' }),
      ];

      for (const attempt of attempts) expect(await rejection(attempt)).toBeInstanceOf(ValidationError);
      expect(await store.head('k')).toBeUndefined();
    });

    it('changes the etag when the content changes, and only then', async () => {
      const first = await store.put('doc', 'version 1');
      const same = await store.put('doc', 'version 1');
      const changed = await store.put('doc', 'version 2');

      expect(same.etag).toBe(first.etag);
      expect(changed.etag).not.toBe(first.etag);
      expect((await store.head('doc'))?.etag).toBe(changed.etag);
      expect(Buffer.from((await store.get('doc'))?.body ?? []).toString()).toBe('version 2');
    });

    it('lists the keys under a prefix in UTF-8 byte order, with key, size, etag and date only', async () => {
      const keys = ['p/😀', 'p/a/b', 'p/\uFF5E', 'p/Z', 'p/é', 'p/a', 'p/a-b', 'p', 'p0/x', 'q/a'];
      await Promise.all(keys.map((key) => store.put(key, key, { contentType: 'text/plain' })));

      const page = await store.list('p/');

      expect(page.items.map((item) => item.key)).toEqual([
        'p/Z',
        'p/a',
        'p/a-b',
        'p/a/b',
        'p/é',
        'p/\uFF5E',
        'p/😀',
      ]);
      expect(page.cursor).toBeUndefined();
      const first = page.items[0];
      expect(first).toEqual({
        key: 'p/Z',
        size: 3,
        etag: md5Etag(Buffer.from('p/Z')),
        lastModified: expect.any(Date),
      });
      expect(await keysOf('p')).toEqual([
        'p',
        'p/Z',
        'p/a',
        'p/a-b',
        'p/a/b',
        'p/é',
        'p/\uFF5E',
        'p/😀',
        'p0/x',
      ]);
      expect(await keysOf('p/a')).toEqual(['p/a', 'p/a-b', 'p/a/b']);
      expect(await keysOf('')).toHaveLength(keys.length);
      expect(await store.list('none/')).toEqual({ items: [] });
    });

    it('pages through a listing exactly once per key; only non-final pages carry a cursor', async () => {
      const keys = ['r/1', 'r/2', 'r/3', 'r/4/x', 'r/5'];
      await Promise.all(keys.map((key) => store.put(key, key)));

      const pages = await allPages('r/', 2);
      const exact = await allPages('r/', 5);
      const afterFour = await store.list('r/', {
        limit: 1,
        cursor: (await store.list('r/', { limit: 4 })).cursor,
      });

      expect(pages).toEqual([['r/1', 'r/2'], ['r/3', 'r/4/x'], ['r/5']]);
      expect(exact).toEqual([keys]);
      expect(afterFour).toEqual({ items: [expect.objectContaining({ key: 'r/5' })] });
    });

    it('keeps the byte order across pages with non-ASCII keys', async () => {
      const keys = ['u/😀', 'u/\uFF5E', 'u/é', 'u/a'];
      await Promise.all(keys.map((key) => store.put(key, key)));

      expect(await allPages('u/', 1)).toEqual([['u/a'], ['u/é'], ['u/\uFF5E'], ['u/😀']]);
    });

    it('rejects a bad page size, a malformed cursor and a cursor from another prefix', async () => {
      await Promise.all(['a/1', 'a/2', 'b/1'].map((key) => store.put(key, key)));
      const cursor = (await store.list('a/', { limit: 1 })).cursor;

      const errors = [
        await rejection(store.list('a/', { limit: 0 })),
        await rejection(store.list('a/', { limit: 1001 })),
        await rejection(store.list('a/', { cursor: 'not a cursor' })),
        await rejection(store.list('b/', { cursor })),
        await rejection(store.list('/a')),
      ];

      for (const error of errors) expect(error).toBeInstanceOf(ValidationError);
      expect((errors[2] as ValidationError).issues[0]).toMatchObject({
        field: 'query.nextToken',
        rule: 'cursor',
      });
    });

    it("holds 'a', 'a/' and 'a/b' side by side", async () => {
      await store.put('a', 'file a');
      await store.put('a/', 'folder marker');
      await store.put('a/b', 'file a/b');

      await store.delete('a');

      expect(await store.get('a')).toBeUndefined();
      expect(Buffer.from((await store.get('a/b'))?.body ?? []).toString()).toBe('file a/b');
      expect(Buffer.from((await store.get('a/'))?.body ?? []).toString()).toBe('folder marker');
      expect(await keysOf('a')).toEqual(['a/', 'a/b']);
    });

    it('treats percent signs in keys as plain characters', async () => {
      const keys = ['k%', 'k%25', 'k%/x', 'k/x'];
      for (const key of keys) await store.put(key, `body of ${key}`);

      const bodies = await Promise.all(
        keys.map(async (key) => Buffer.from((await store.get(key))?.body ?? []).toString()),
      );

      expect(bodies).toEqual(keys.map((key) => `body of ${key}`));
      expect(await keysOf('k')).toEqual(['k%', 'k%/x', 'k%25', 'k/x']);
    });

    it('deletes idempotently', async () => {
      await store.put('gone', 'x');

      await store.delete('gone');
      await store.delete('gone');
      await store.delete('never/was');

      expect(await store.head('gone')).toBeUndefined();
      expect(await keysOf('')).toEqual([]);
    });

    it('rejects keys outside the pattern with ValidationError before any I/O', async () => {
      const badKeys = [
        '',
        '/abs',
        '../x',
        'a/../b',
        'a//..//b',
        './a',
        'a/.',
        'a\\b',
        'a\u0000b',
        'tab\tkey',
        'x'.repeat(1025),
      ];
      const calls = (key: string) => [
        unreachable.put(key, 'x'),
        unreachable.get(key),
        unreachable.head(key),
        unreachable.delete(key),
        Promise.resolve().then(() => unreachable.uriOf(key)),
      ];

      const errors = await Promise.all(badKeys.flatMap(calls).map(rejection));
      const reachable = await rejection(unreachable.put('good/key', 'x'));

      for (const error of errors) {
        expect((error as ValidationError).issues).toEqual([
          expect.objectContaining({ field: 'key', rule: 'object_key' }),
        ]);
      }
      expect(reachable).not.toBeInstanceOf(ValidationError);
    });
  });
