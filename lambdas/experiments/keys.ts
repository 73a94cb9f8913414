/**
 * Where experiment tracking keeps its items in the metadata store (single-table layout):
 *
 * | pk                               | sk                                  | item                          |
 * | -------------------------------- | ----------------------------------- | ----------------------------- |
 * | `experiments`                    | experiment id (ULID)                | the experiment                |
 * | `experiment-names`               | experiment name                     | claims the name (uniqueness)  |
 * | `experiment-runs#<experimentId>` | run id (ULID)                       | the run: the search index     |
 * | `run#<runId>`                    | `ref`                               | the run's experiment id       |
 * | `run#<runId>`                    | `metric#<key>#<step>#<ts>#<value>`  | one point of a metric history |
 *
 * Metric, param and tag keys never hold `#` (see routes.ts), so a key's prefix selects its points only.
 */
import type { ItemKey } from '../shared/ports/metadata-store';
import { runPartitionKey } from '../shared/ports/run-search-index';

export const EXPERIMENTS_PK = 'experiments';
const EXPERIMENT_NAMES_PK = 'experiment-names';

export const experimentKey = (experimentId: string): ItemKey => ({ pk: EXPERIMENTS_PK, sk: experimentId });
export const experimentNameKey = (name: string): ItemKey => ({ pk: EXPERIMENT_NAMES_PK, sk: name });
export const runKey = (experimentId: string, runId: string): ItemKey => ({
  pk: runPartitionKey(experimentId),
  sk: runId,
});
export const runRefKey = (runId: string): ItemKey => ({ pk: `run#${runId}`, sk: 'ref' });

/** Steps and timestamps are non-negative safe integers: 16 digits sort them as numbers. */
const sortable = (n: number): string => String(n).padStart(16, '0');

export const metricHistoryPk = (runId: string): string => `run#${runId}`;
export const metricHistoryPrefix = (key: string): string => `metric#${key}#`;

/**
 * One point's key: ordered by step, then timestamp. The value ends the key, so logging the same point
 * twice (a retried request) writes the same item, as MLflow's (key, step, timestamp, value) identity does.
 */
export const metricPointKey = (
  runId: string,
  point: { key: string; step: number; timestamp: number; value: number },
): ItemKey => ({
  pk: metricHistoryPk(runId),
  sk: `${metricHistoryPrefix(point.key)}${sortable(point.step)}#${sortable(point.timestamp)}#${point.value}`,
});
