/**
 * The workflow engine on AWS Step Functions: StartExecution with the caller's name, DescribeExecution
 * for the status, GetExecutionHistory for the steps (state entered → RUNNING; exited → SUCCEEDED; a
 * failure not followed by a retry → FAILED).
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type {
  WorkflowEngine,
  WorkflowExecution,
  WorkflowName,
  WorkflowStep,
} from '../../ports/workflow-engine';

export interface StepFunctionsWorkflowEngineOptions {
  /** State machine ARN of each workflow the function starts (a function starts only its own). */
  readonly stateMachines: Readonly<Partial<Record<WorkflowName, string>>>;
  readonly client?: SFNClient;
  /** Most history events read per describe (a training pipeline has ~40). @default 1000 */
  readonly maxHistoryEvents?: number;
}

type MutableStep = { -readonly [K in keyof WorkflowStep]: WorkflowStep[K] } & { failed?: boolean };

/** Steps from an execution's history events, oldest first. */
export const stepsFromHistory = (events: readonly HistoryEvent[]): WorkflowStep[] => {
  const steps: MutableStep[] = [];
  let open: MutableStep | undefined;
  // Step Functions stamps every history event; should one lack it, the last known time stands in.
  let lastAt = new Date(0);
  const close = (status: WorkflowStep['status'], at: Date | undefined) => {
    if (!open) return;
    open.status = status;
    if (at) open.endedAt = at.toISOString();
    open = undefined;
  };
  for (const event of events) {
    const type = event.type ?? '';
    const at = event.timestamp;
    if (at) lastAt = at;
    if (type.endsWith('StateEntered') && event.stateEnteredEventDetails?.name) {
      close(open?.failed ? 'FAILED' : 'SUCCEEDED', at);
      open = {
        name: event.stateEnteredEventDetails.name,
        status: 'RUNNING',
        startedAt: lastAt.toISOString(),
      };
      steps.push(open);
    } else if (type.endsWith('StateExited')) {
      close(open?.failed ? 'FAILED' : 'SUCCEEDED', at);
    } else if (/(Failed|TimedOut)$/.test(type) && !type.startsWith('Execution')) {
      if (open) open.failed = true;
    } else if (/Scheduled$/.test(type) && open) {
      open.failed = false; // a retry: the earlier failure did not end the step
    } else if (type.startsWith('Execution') && type !== 'ExecutionStarted') {
      close(
        type === 'ExecutionSucceeded' ? 'SUCCEEDED' : type === 'ExecutionAborted' ? 'ABORTED' : 'FAILED',
        at,
      );
    }
  }
  return steps.map(({ failed: _failed, ...step }) => step);
};

export class StepFunctionsWorkflowEngine implements WorkflowEngine {
  readonly #options: StepFunctionsWorkflowEngineOptions;
  readonly #client: SFNClient;

  constructor(options: StepFunctionsWorkflowEngineOptions) {
    this.#options = options;
    this.#client = options.client ?? new SFNClient({});
  }

  async start(workflow: WorkflowName, executionName: string, input: unknown): Promise<void> {
    try {
      await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#machine(workflow),
          name: executionName,
          input: JSON.stringify(input),
        }),
      );
    } catch (error) {
      // Same name and input while it runs is answered with the same execution, not this error.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }

  async describe(workflow: WorkflowName, executionName: string): Promise<WorkflowExecution | undefined> {
    const executionArn = this.#executionArn(workflow, executionName);
    let described: DescribeExecutionCommandOutput;
    try {
      described = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    const max = this.#options.maxHistoryEvents ?? 1000;
    do {
      const page = await this.#client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 1000,
          nextToken,
          includeExecutionData: false,
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken && events.length < max);
    const status = (described.status ?? 'RUNNING') as WorkflowExecution['status'];
    return {
      status: status === ('PENDING_REDRIVE' as string) ? 'FAILED' : status,
      startedAt: (described.startDate ?? new Date(0)).toISOString(),
      ...(described.stopDate ? { endedAt: described.stopDate.toISOString() } : {}),
      steps: stepsFromHistory(events),
      ...(described.output ? { output: JSON.parse(described.output) as unknown } : {}),
      ...(described.error ? { error: described.error } : {}),
      ...(described.cause ? { cause: described.cause } : {}),
    };
  }

  #machine(workflow: WorkflowName): string {
    const arn = this.#options.stateMachines[workflow];
    if (!arn) throw new Error(`No state machine ARN configured for workflow ${workflow}`);
    return arn;
  }

  /** arn:aws:states:r:a:stateMachine:Name → arn:aws:states:r:a:execution:Name:executionName */
  #executionArn(workflow: WorkflowName, executionName: string): string {
    const machine = this.#machine(workflow);
    return `${machine.replace(':stateMachine:', ':execution:')}:${executionName}`;
  }
}
