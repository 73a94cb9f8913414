/**
 * Runs the platform's state machines (statemachines/*.asl.json): Step Functions in the cloud, the local
 * runner (aws-local-stepfunctions) on a laptop. Executions are named by the caller, so the id a client
 * sees is the execution's name in both places.
 */

export type WorkflowName = 'training-pipeline' | 'deployment';

export type WorkflowStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface WorkflowStep {
  readonly name: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly startedAt: string;
  readonly endedAt?: string;
}

export interface WorkflowExecution {
  readonly status: WorkflowStatus;
  readonly startedAt: string;
  readonly endedAt?: string;
  /** States entered so far, in order; a state entered twice (a loop) appears twice. */
  readonly steps: readonly WorkflowStep[];
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

export interface WorkflowEngine {
  /** Starts an execution named `executionName`; starting the same name with the same input again is a no-op. */
  start(workflow: WorkflowName, executionName: string, input: unknown): Promise<void>;
  /** The execution as the engine knows it, or undefined when it does not (any more). */
  describe(workflow: WorkflowName, executionName: string): Promise<WorkflowExecution | undefined>;
}
