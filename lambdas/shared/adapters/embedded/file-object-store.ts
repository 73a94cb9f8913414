import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../../ports/clock';
import type {
  ListOptions,
  ObjectInfo,
  ObjectPage,
  ObjectStore,
  PutObjectOptions,
  StoredObject,
} from '../../ports/object-store';
import { decodeCursor, encodeCursor, resolvePageSize } from '../cursor';
import {
  assertObjectKey,
  assertObjectPrefix,
  assertPutObjectOptions,
  DEFAULT_CONTENT_TYPE,
  toBytes,
  wholeSecond,
} from '../object-checks';

export interface FileObjectStoreOptions {
  /** Folder that holds the objects; created on the first write. */
  readonly root: string;
  /** Stamps each write's lastModified: the store's own clock is the composition root's. */
  readonly clock: Clock;
}

/** What the sidecar file beside each object holds. */
interface Sidecar {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: string;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
}

/*
 * Layout. Key 'models/m1/model.json' lives at ROOT/models%/m1%/model.json, with its sidecar at
 * ROOT/models%/m1%/model.json%m. In a segment '%' is written '%25', so a name ends in '%' only for a
 * folder, never for an object: keys 'a' and 'a/b' coexist (file 'a', folder 'a%'), and no key can
 * climb out of ROOT. Other reserved names: '%e' for an empty segment ('a//b', 'a/'), '%h' + hash for a
 * segment too long for a file name (the sidecar keeps the full key), '%t' + random for files being
 * written. The data file keeps the object's own name and bytes, so file:// URIs are usable as-is.
 *
 * A write renames the data file into place, then the sidecar: the sidecar is the commit point (an
 * object exists when its sidecar does), and a reader that catches the two out of step sees an etag
 * that does not match the bytes and reads again.
 */
const MAX_NAME_BYTES = 200;
const FOLDER_SUFFIX = '%';
const SIDECAR_SUFFIX = '%m';

const segmentName = (segment: string): string => {
  if (segment === '') return '%e';
  const escaped = segment.replaceAll('%', '%25');
  if (Buffer.byteLength(escaped, 'utf8') <= MAX_NAME_BYTES) return escaped;
  return `%h${createHash('sha256').update(segment).digest('base64url')}`;
};

/** The segment a file or folder name stands for, or undefined when only the sidecar can tell. */
const segmentOf = (name: string): string | undefined => {
  if (name === '%e') return '';
  if (name.startsWith('%h')) return undefined;
  return name.replaceAll('%25', '%');
};

const etagOf = (bytes: Uint8Array): string => `"${createHash('md5').update(bytes).digest('hex')}"`;

const compareUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

const isMissing = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

const infoOf = (sidecar: Sidecar): ObjectInfo => ({
  key: sidecar.key,
  size: sidecar.size,
  etag: sidecar.etag,
  lastModified: new Date(sidecar.lastModified),
  contentType: sidecar.contentType,
  metadata: sidecar.metadata,
});

/** ObjectStore on a local folder, for the local platform and tests. */
export class FileObjectStore implements ObjectStore {
  readonly #root: string;
  readonly #clock: Clock;

  constructor(options: FileObjectStoreOptions) {
    this.#root = resolve(options.root);
    this.#clock = options.clock;
  }

  async put(key: string, body: Uint8Array | string, options?: PutObjectOptions): Promise<ObjectInfo> {
    assertObjectKey(key);
    assertPutObjectOptions(options);
    const bytes = toBytes(body);
    const { folder, data, sidecar } = this.#locate(key);
    // S3 keeps whole seconds; so do we, so that timestamps compare the same in both stores.
    const lastModified = wholeSecond(this.#clock.now());
    const record: Sidecar = {
      key,
      size: bytes.byteLength,
      etag: etagOf(bytes),
      lastModified: lastModified.toISOString(),
      contentType: options?.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: { ...options?.metadata },
    };
    await mkdir(folder, { recursive: true });
    await this.#replace(folder, data, bytes);
    await this.#replace(folder, sidecar, JSON.stringify(record));
    return infoOf(record);
  }

  async get(key: string): Promise<StoredObject | undefined> {
    assertObjectKey(key);
    const { data, sidecar } = this.#locate(key);
    for (let attempt = 1; ; attempt++) {
      const record = await readSidecar(sidecar);
      if (!record) return undefined;
      let body: Buffer;
      try {
        body = await readFile(data);
      } catch (error) {
        if (!isMissing(error)) throw error;
        return undefined;
      }
      const etag = etagOf(body);
      // After a few tries a mismatch means a writer died between its two renames: the bytes win.
      if (etag === record.etag || attempt >= 5) {
        return { ...infoOf(record), size: body.byteLength, etag, body: new Uint8Array(body) };
      }
      await sleep(10 * attempt);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertObjectKey(key);
    const record = await readSidecar(this.#locate(key).sidecar);
    return record && infoOf(record);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ObjectPage> {
    assertObjectPrefix(prefix);
    const limit = resolvePageSize(options.limit);
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, prefix);
    const cut = prefix.lastIndexOf('/');
    const folders = cut < 0 ? [] : prefix.slice(0, cut).split('/');
    const start = join(this.#root, ...folders.map((segment) => segmentName(segment) + FOLDER_SUFFIX));
    const found: { key: string; sidecar: string }[] = [];
    await this.#walk(start, cut < 0 ? '' : prefix.slice(0, cut + 1), prefix, found);
    const keys = found
      .filter((entry) => after === undefined || compareUtf8(entry.key, after) > 0)
      .sort((a, b) => compareUtf8(a.key, b.key))
      .slice(0, limit + 1);
    const records = await Promise.all(keys.slice(0, limit).map((entry) => readSidecar(entry.sidecar)));
    // S3 lists no content type or user metadata; neither do we, so callers cannot come to rely on them.
    const items = records.flatMap((record) =>
      record
        ? [
            {
              key: record.key,
              size: record.size,
              etag: record.etag,
              lastModified: new Date(record.lastModified),
            },
          ]
        : [],
    );
    const last = keys[limit - 1];
    return keys.length > limit && last ? { items, cursor: encodeCursor(last.key) } : { items };
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    const { data, sidecar } = this.#locate(key);
    await rm(sidecar, { force: true });
    await rm(data, { force: true });
  }

  uriOf(key: string): string {
    assertObjectKey(key);
    return pathToFileURL(this.#locate(key).data).href;
  }

  #locate(key: string): { folder: string; data: string; sidecar: string } {
    const segments = key.split('/');
    const name = segmentName(segments.pop() ?? '');
    const folder = join(this.#root, ...segments.map((segment) => segmentName(segment) + FOLDER_SUFFIX));
    return { folder, data: join(folder, name), sidecar: join(folder, name + SIDECAR_SUFFIX) };
  }

  async #replace(folder: string, target: string, content: Uint8Array | string): Promise<void> {
    const temp = join(folder, `%t${randomBytes(8).toString('hex')}`);
    try {
      await writeFile(temp, content);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Collects the objects under `folder` whose keys start with `prefix`; `known` is the folder's key text. */
  async #walk(
    folder: string,
    known: string | undefined,
    prefix: string,
    found: { key: string; sidecar: string }[],
  ): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(folder, entry.name);
        if (entry.isDirectory() && entry.name.endsWith(FOLDER_SUFFIX)) {
          const segment = segmentOf(entry.name.slice(0, -FOLDER_SUFFIX.length));
          const inner = known === undefined || segment === undefined ? undefined : `${known}${segment}/`;
          if (inner === undefined || inner.startsWith(prefix) || prefix.startsWith(inner)) {
            await this.#walk(path, inner, prefix, found);
          }
        } else if (entry.isFile() && entry.name.endsWith(SIDECAR_SUFFIX)) {
          const segment = segmentOf(entry.name.slice(0, -SIDECAR_SUFFIX.length));
          const key =
            known === undefined || segment === undefined
              ? (await readSidecar(path))?.key
              : `${known}${segment}`;
          if (key?.startsWith(prefix)) found.push({ key, sidecar: path });
        }
      }),
    );
  }
}

const readSidecar = async (path: string): Promise<Sidecar | undefined> => {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Sidecar;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
};
