/**
 * The workflow engine of the local platform: the same statemachines/*.asl.json files as the cloud,
 * with the same substitution placeholders, run by the local Step Functions runner.
 */
import type {
  WorkflowEngine,
  WorkflowExecution,
  WorkflowName,
} from '../../lambdas/shared/ports/workflow-engine';
import { loadStateMachineDefinition, type StateMachineDefinition } from '../step-functions/definition';
import { ExecutionDoesNotExistError } from '../step-functions/errors';
import type { ExecutionDescription, LocalStepFunctions } from '../step-functions/runner';

export interface LocalWorkflow {
  /** The ASL file, as CDK's DefinitionBody.fromFile reads it. */
  readonly path: string;
  readonly substitutions: Readonly<Record<string, string>>;
}

export interface LocalWorkflowEngineOptions {
  readonly runner: LocalStepFunctions;
  /** The workflows this engine runs (a platform runs the ones it has a state machine file for). */
  readonly workflows: Readonly<Partial<Record<WorkflowName, LocalWorkflow>>>;
  /** Told when an execution closes (the local platform persists nothing else of the runner's memory). */
  readonly onClosed?: (workflow: WorkflowName, description: ExecutionDescription) => void;
}

export const toWorkflowExecution = (description: ExecutionDescription): WorkflowExecution => ({
  status: description.status,
  startedAt: description.startDate.toISOString(),
  ...(description.stopDate ? { endedAt: description.stopDate.toISOString() } : {}),
  // Only the top level: Map iterations are detail a pipeline's reader does not need here.
  steps: description.steps
    .filter((step) => step.iteration === undefined)
    .map((step) => ({
      name: step.name,
      status: step.status === 'CAUGHT' ? 'FAILED' : step.status,
      startedAt: step.startedAt.toISOString(),
      ...(step.endedAt ? { endedAt: step.endedAt.toISOString() } : {}),
    })),
  ...(description.output === undefined ? {} : { output: description.output }),
  ...(description.error === undefined ? {} : { error: description.error }),
  ...(description.cause === undefined ? {} : { cause: description.cause }),
});

export class LocalWorkflowEngine implements WorkflowEngine {
  readonly #options: LocalWorkflowEngineOptions;
  readonly #definitions = new Map<WorkflowName, Promise<StateMachineDefinition>>();
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: LocalWorkflowEngineOptions) {
    this.#options = options;
  }

  async start(workflow: WorkflowName, executionName: string, input: unknown): Promise<void> {
    const definition = await this.#definition(workflow);
    const started = this.#options.runner.start(workflow, definition, input, { name: executionName });
    const settled = started.result.then((description) => this.#options.onClosed?.(workflow, description));
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
  }

  async describe(workflow: WorkflowName, executionName: string): Promise<WorkflowExecution | undefined> {
    const arn = `${this.#options.runner.stateMachineArn(workflow).replace(':stateMachine:', ':execution:')}:${executionName}`;
    try {
      return toWorkflowExecution(this.#options.runner.describe(arn));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExistError) return undefined;
      throw error;
    }
  }

  /** Settles once every execution started so far has closed (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #definition(workflow: WorkflowName): Promise<StateMachineDefinition> {
    let loaded = this.#definitions.get(workflow);
    if (!loaded) {
      const known = this.#options.workflows[workflow];
      if (!known) return Promise.reject(new Error(`No state machine file for workflow ${workflow}`));
      const { path, substitutions } = known;
      loaded = loadStateMachineDefinition(path, substitutions);
      this.#definitions.set(workflow, loaded);
    }
    return loaded;
  }
}
