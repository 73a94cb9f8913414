/**
 * Training schedules: a model retrains on an EventBridge schedule (cron or rate), repeating its last
 * successful request (see triggers.ts). One rule per model, made at run time: models are data.
 *
 * | item              | pk                    | sk      |
 * | ----------------- | --------------------- | ------- |
 * | training schedule | pipelines#schedules   | {model} |
 */
import { ConflictError, NotFoundError } from '../shared/errors';
import { json } from '../shared/stored';
import type { PipelinesDeps } from './executions';
import { decodeTrainingSchedule, type TrainingSchedule } from './records';
import { lastSuccessfulRun } from './triggers';

const SCHEDULES_PK = 'pipelines#schedules';
const scheduleKey = (model: string) => ({ pk: SCHEDULES_PK, sk: model });

export type { TrainingSchedule };

/** Sets (or replaces) a model's schedule; the model must have trained successfully once. */
export const putTrainingSchedule = async (
  deps: PipelinesDeps,
  model: string,
  schedule: string,
  actor: string,
): Promise<TrainingSchedule> => {
  const last = await lastSuccessfulRun(deps, model);
  if (!last) {
    throw new ConflictError(
      `Model ${model} has no successful training pipeline execution; a schedule repeats the last one, so train it once first.`,
    );
  }
  // The scheduler checks the expression first: a refused one is a 400 and nothing is stored.
  await deps.schedules.put(model, schedule, 'body.schedule');
  const record: TrainingSchedule = {
    model,
    schedule,
    basedOn: last.executionId,
    updatedAt: deps.clock.now().toISOString(),
    updatedBy: actor,
  };
  await deps.store.put({ ...scheduleKey(model), data: json(record) });
  return record;
};

export const deleteTrainingSchedule = async (deps: PipelinesDeps, model: string): Promise<void> => {
  const item = await deps.store.get(scheduleKey(model));
  if (!item) throw new NotFoundError(`Model ${model} has no training schedule.`);
  await deps.schedules.remove(model);
  await deps.store.delete({ ...scheduleKey(model), condition: { rev: item.rev } });
};

/** Every schedule, in model name order. */
export const listTrainingSchedules = async (
  deps: Pick<PipelinesDeps, 'store'>,
): Promise<TrainingSchedule[]> => {
  const schedules: TrainingSchedule[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(SCHEDULES_PK, { limit: 1000, cursor });
    schedules.push(...page.items.map(decodeTrainingSchedule));
    cursor = page.cursor;
  } while (cursor);
  return schedules;
};

/** Registers every stored schedule again (the local platform at start-up: its scheduler forgets). */
export const scheduleAllTrainings = async (deps: PipelinesDeps): Promise<void> => {
  for (const schedule of await listTrainingSchedules(deps)) {
    await deps.schedules.put(schedule.model, schedule.schedule, 'schedule');
  }
};
