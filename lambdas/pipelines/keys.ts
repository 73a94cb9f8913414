/**
 * Where pipeline executions live in the single metadata table.
 *
 * | item                      | pk                                  | sk            |
 * | ------------------------- | ----------------------------------- | ------------- |
 * | execution                 | pipelines#executions                | {executionId} |
 * | execution of a model      | pipelines#model#{model}#executions  | {executionId} |
 *
 * Execution ids are ULIDs, so both partitions read newest first with a descending query.
 */
import type { ItemKey } from '../shared/ports/metadata-store';

export const EXECUTIONS_PK = 'pipelines#executions';
export const modelExecutionsPk = (model: string): string => `pipelines#model#${model}#executions`;

export const executionKey = (executionId: string): ItemKey => ({ pk: EXECUTIONS_PK, sk: executionId });
export const modelExecutionKey = (model: string, executionId: string): ItemKey => ({
  pk: modelExecutionsPk(model),
  sk: executionId,
});

/** Object keys of an execution's intermediate data (entity rows, CSV channels, model output). */
export const executionObjectPrefix = (executionId: string): string => `pipelines/executions/${executionId}/`;
