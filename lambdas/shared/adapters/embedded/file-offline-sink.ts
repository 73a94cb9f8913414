import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { offlineFilesOf } from '../../../features/offline/batches';
import { sortableIdGenerator } from '../../ids';
import type { Clock } from '../../ports/clock';
import type { FeatureGroupVersion } from '../../ports/feature-group-version';
import type { OfflineSink } from '../../ports/offline-sink';

export interface FileOfflineSinkOptions {
  /** The folder that holds `offline/` (MLOPS_HOME). */
  readonly root: string;
  readonly clock: Clock;
  /** Batch ids; default: ULIDs on `clock`, monotonic within the process. */
  readonly newBatchId?: () => string;
}

/**
 * The offline store on local files: ROOT/offline/<group>/v<n>/event_date=YYYY-MM-DD/<batch>.parquet,
 * plain paths (not the object store's escaped layout) so that DuckDB globs them directly. Each file
 * is written under a temporary name and renamed into place, so a reader never sees half a file.
 */
export class FileOfflineSink implements OfflineSink {
  readonly #root: string;
  readonly #clock: Clock;
  readonly #newBatchId: () => string;

  constructor(options: FileOfflineSinkOptions) {
    this.#root = options.root;
    this.#clock = options.clock;
    this.#newBatchId = options.newBatchId ?? sortableIdGenerator(options.clock);
  }

  async append(group: FeatureGroupVersion, records: readonly Record<string, unknown>[]): Promise<void> {
    if (records.length === 0) return;
    const files = offlineFilesOf(group, records, this.#clock.now(), this.#newBatchId());
    await Promise.all(
      files.map(async (file) => {
        const path = join(this.#root, ...file.key.split('/'));
        // Not '*.parquet', so that a glob over the folder skips files still being written.
        const temp = join(dirname(path), `.${randomBytes(8).toString('hex')}.tmp`);
        await mkdir(dirname(path), { recursive: true });
        try {
          await writeFile(temp, file.body);
          await rename(temp, path);
        } catch (error) {
          await rm(temp, { force: true });
          throw error;
        }
      }),
    );
  }
}
