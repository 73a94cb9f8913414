/**
 * Where monitoring keeps its items in the single metadata table and its objects in the object store.
 *
 * | item                    | pk                               | sk         |
 * | ----------------------- | -------------------------------- | ---------- |
 * | monitor (with its state) | monitor#{name}                  | #monitor   |
 * | monitor index           | monitors                         | {name}     |
 * | report summary          | monitor#{name}#reports           | {ULID}     |
 * | delayed label           | label#{model}#{inferenceId}      | l          |
 *
 * Labels get a partition each (the inference id in the pk), so that a large label upload spreads over
 * DynamoDB partitions, and a run joins its window's predictions with one batch read per 100 ids.
 *
 * | object                  | key                                                      |
 * | ----------------------- | -------------------------------------------------------- |
 * | full report             | monitoring/{monitor}/reports/{id}.json                   |
 * | shard summary (cloud)   | monitoring/{monitor}/runs/{runId}/shards/{shard}.json    |
 */
import type { ItemKey } from '../shared/ports/metadata-store';

export const MONITOR_SK = '#monitor';
export const MONITORS_PK = 'monitors';
export const LABEL_SK = 'l';

export const monitorKey = (name: string): ItemKey => ({ pk: `monitor#${name}`, sk: MONITOR_SK });
export const monitorIndexKey = (name: string): ItemKey => ({ pk: MONITORS_PK, sk: name });
export const reportsPk = (monitor: string): string => `monitor#${monitor}#reports`;
export const reportSummaryKey = (monitor: string, id: string): ItemKey => ({
  pk: reportsPk(monitor),
  sk: id,
});
export const labelKey = (model: string, inferenceId: string): ItemKey => ({
  pk: `label#${model}#${inferenceId}`,
  sk: LABEL_SK,
});

export const reportObjectKey = (monitor: string, id: string): string =>
  `monitoring/${monitor}/reports/${id}.json`;
export const shardsPrefix = (monitor: string, runId: string): string =>
  `monitoring/${monitor}/runs/${runId}/shards/`;
export const shardObjectKey = (monitor: string, runId: string, shard: string): string =>
  `${shardsPrefix(monitor, runId)}${shard}.json`;
