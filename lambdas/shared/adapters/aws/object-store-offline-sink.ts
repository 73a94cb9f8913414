import { offlineFilesOf } from '../../../features/offline/batches';
import { sortableIdGenerator } from '../../ids';
import type { Clock } from '../../ports/clock';
import type { FeatureGroupVersion } from '../../ports/feature-group-version';
import type { ObjectStore } from '../../ports/object-store';
import type { OfflineSink } from '../../ports/offline-sink';

export interface ObjectStoreOfflineSinkOptions {
  /** Where `offline/...` keys go: the platform bucket in the cloud (s3://bucket/offline/...). */
  readonly objects: ObjectStore;
  readonly clock: Clock;
  /** Batch ids; default: ULIDs on `clock`, monotonic within the process. */
  readonly newBatchId?: () => string;
}

const PARQUET = 'application/vnd.apache.parquet';

/**
 * The offline store on an object store (S3 in the cloud): one Parquet object per batch and event date.
 * The files of one batch are written in parallel; a batch that fails half-way may leave some dates
 * written, and ingestion's retry writes them again under a new batch id — duplicates that the
 * point-in-time join resolves to one record (same event time: the later ingestion wins).
 */
export class ObjectStoreOfflineSink implements OfflineSink {
  readonly #objects: ObjectStore;
  readonly #clock: Clock;
  readonly #newBatchId: () => string;

  constructor(options: ObjectStoreOfflineSinkOptions) {
    this.#objects = options.objects;
    this.#clock = options.clock;
    this.#newBatchId = options.newBatchId ?? sortableIdGenerator(options.clock);
  }

  async append(group: FeatureGroupVersion, records: readonly Record<string, unknown>[]): Promise<void> {
    if (records.length === 0) return;
    const files = offlineFilesOf(group, records, this.#clock.now(), this.#newBatchId());
    await Promise.all(
      files.map((file) =>
        this.#objects.put(file.key, file.body, {
          contentType: PARQUET,
          metadata: { rows: String(file.rowCount) },
        }),
      ),
    );
  }
}
