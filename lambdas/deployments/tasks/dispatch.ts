/**
 * The deployment state machine's tasks: the deployments function answers them beside its HTTP routes,
 * one entry per ASL state that needs code, chosen by the payload's `task`.
 */
import { ValidationError } from '../../shared/errors';
import type { DeploymentTaskDeps } from './deps';
import { evaluateStep, notifyDeployment, recordDeployment, recordDeploymentFailure } from './steps';

// biome-ignore lint/suspicious/noExplicitAny: each task parses the payload the state machine built for it.
type Task = (deps: DeploymentTaskDeps, input: any) => Promise<unknown>;

const tasks: Readonly<Record<string, Task>> = {
  'evaluate-step': evaluateStep,
  'record-deployment': recordDeployment,
  'notify-deployment': notifyDeployment,
  'record-deployment-failure': recordDeploymentFailure,
};

export const DEPLOYMENT_TASKS = Object.keys(tasks);

/** A state machine task's payload (an API Gateway event has no `task`). */
export interface DeploymentTaskEvent {
  readonly task: string;
}

export const isDeploymentTaskEvent = (event: unknown): event is DeploymentTaskEvent =>
  typeof event === 'object' && event !== null && typeof (event as { task?: unknown }).task === 'string';

export const makeDeploymentTaskFunction =
  (deps: DeploymentTaskDeps) =>
  async (payload: unknown): Promise<unknown> => {
    const name = (payload as { task?: unknown } | null)?.task;
    const task = typeof name === 'string' && Object.hasOwn(tasks, name) ? tasks[name] : undefined;
    if (!task) {
      throw new ValidationError([
        { field: 'task', rule: 'enum', message: `must be one of ${DEPLOYMENT_TASKS.join(', ')}` },
      ]);
    }
    return task(deps, payload);
  };
