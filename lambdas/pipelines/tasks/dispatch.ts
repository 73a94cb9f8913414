/**
 * The training pipeline's task function: one Lambda, one entry per ASL state that needs code, chosen by
 * the payload's `task`. The local platform calls the same function for the same states.
 */
import { ValidationError } from '../../shared/errors';
import { buildTrainingSet } from './build-training-set';
import type { PipelineTaskDeps } from './deps';
import { evaluate } from './evaluate';
import { notifySuccess, recordFailure } from './notify';
import { planScoring } from './plan-scoring';
import { register } from './register';
import { validateData } from './validate-data';

// biome-ignore lint/suspicious/noExplicitAny: each task parses the payload the state machine built for it.
type Task = (deps: PipelineTaskDeps, input: any) => Promise<unknown>;

const tasks: Readonly<Record<string, Task>> = {
  'validate-data': validateData,
  'build-training-set': buildTrainingSet,
  'plan-scoring': planScoring,
  evaluate,
  register,
  'notify-success': notifySuccess,
  'record-failure': recordFailure,
};

export const PIPELINE_TASKS = Object.keys(tasks);

export const makePipelineTaskFunction =
  (deps: PipelineTaskDeps) =>
  async (payload: unknown): Promise<unknown> => {
    const name = (payload as { task?: unknown } | null)?.task;
    const task = typeof name === 'string' && Object.hasOwn(tasks, name) ? tasks[name] : undefined;
    if (!task) {
      throw new ValidationError([
        { field: 'task', rule: 'enum', message: `must be one of ${PIPELINE_TASKS.join(', ')}` },
      ]);
    }
    return task(deps, payload);
  };
