/**
 * Training without a person at the keyboard: a model retrains with the request of its last successful
 * execution, started again. The entity rows are read again from the same `entitiesUri` (an object the
 * team's own job refreshes, e.g. `s3://…/entities/latest.csv`), and the point-in-time join reads the
 * features as they are now, so a rerun trains on fresh data under the same configuration.
 *
 * Triggers: the monitoring capability's `RetrainingRequested` event (drift confirmed on N consecutive
 * runs) and EventBridge schedules. Both reach the same start path as the API, so every run has an
 * execution record and shows in GET /pipelines/executions.
 */
import { NotFoundError } from '../shared/errors';
import { type PipelinesDeps, startTrainingExecution } from './executions';
import { executionKey, modelExecutionsPk } from './keys';
import { decodeExecution, type ExecutionRecord, type ExecutionTrigger } from './records';
import { RETRAINING_REQUESTED, TRAINING_SCHEDULED } from './trigger-events';

export { RETRAINING_REQUESTED };

/** The request of the model's newest SUCCEEDED execution, or undefined when it never trained. */
export const lastSuccessfulRun = async (
  deps: Pick<PipelinesDeps, 'store'>,
  model: string,
): Promise<ExecutionRecord | undefined> => {
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(modelExecutionsPk(model), { limit: 100, descending: true, cursor });
    const records = await deps.store.batchGet(page.items.map((item) => executionKey(item.sk)));
    for (const item of records) {
      const record = item === undefined ? undefined : decodeExecution(item);
      if (record?.status === 'SUCCEEDED') return record;
    }
    cursor = page.cursor;
  } while (cursor);
  return undefined;
};

export class NothingToRetrainError extends NotFoundError {
  constructor(model: string) {
    super(`Model ${model} has no successful training pipeline execution whose request could be repeated.`);
  }
}

/** Starts the model's last successful request again; the actor names the trigger in the record. */
export const retrain = async (
  deps: PipelinesDeps,
  model: string,
  trigger: Exclude<ExecutionTrigger, 'api'>,
  actor: string,
): Promise<ExecutionRecord> => {
  const last = await lastSuccessfulRun(deps, model);
  if (!last) throw new NothingToRetrainError(model);
  return startTrainingExecution(deps, last.request, actor, trigger);
};

/** An EventBridge event as a rule target receives it. */
export interface TriggerEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: { readonly model?: unknown; readonly monitor?: unknown };
}

export const isTriggerEvent = (event: unknown): event is TriggerEvent =>
  typeof event === 'object' && event !== null && 'detail-type' in event && 'source' in event;

const is = (event: TriggerEvent, kind: { readonly source: string; readonly detailType: string }) =>
  event.source === kind.source && event['detail-type'] === kind.detailType;

/**
 * A monitor's RetrainingRequested event, or a model's schedule firing, starts the model's retraining;
 * other events are not ours.
 */
export const handleTriggerEvent = async (
  deps: PipelinesDeps,
  event: TriggerEvent,
): Promise<ExecutionRecord | undefined> => {
  const scheduled = is(event, TRAINING_SCHEDULED);
  if (!scheduled && !is(event, RETRAINING_REQUESTED)) return undefined;
  const model = event.detail.model;
  if (typeof model !== 'string') throw new Error(`${event['detail-type']} without a model name`);
  if (scheduled) return retrain(deps, model, 'schedule', 'schedule');
  const monitor = typeof event.detail.monitor === 'string' ? event.detail.monitor : 'unknown';
  return retrain(deps, model, 'event', `monitor:${monitor}`);
};
