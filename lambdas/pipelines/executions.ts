/**
 * Starting, describing and closing training pipeline executions. The execution record is the platform's
 * own memory of a run (who started it, the request, the outcome); the workflow engine (Step Functions or
 * the local runner) is the authority on what is running now and which steps it took.
 */
import { NotFoundError } from '../shared/errors';
import { DEFAULT_RETRY, withOptimisticRetry } from '../shared/optimistic-retry';
import { apiPage } from '../shared/page';
import type { Clock } from '../shared/ports/clock';
import type { MetadataStore } from '../shared/ports/metadata-store';
import type { ObjectStore } from '../shared/ports/object-store';
import type { ScheduleRules } from '../shared/ports/schedule-rules';
import type { WorkflowEngine } from '../shared/ports/workflow-engine';
import { json } from '../shared/stored';
import {
  EXECUTIONS_PK,
  executionKey,
  executionObjectPrefix,
  modelExecutionKey,
  modelExecutionsPk,
} from './keys';
import { decodeExecution, type ExecutionRecord, type ExecutionTrigger, readableCause } from './records';
import type { ExecutionView, StoredTrainingRequest, TrainingRequest } from './schemas';

export interface PipelinesDeps {
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
  readonly engine: WorkflowEngine;
  readonly clock: Clock;
  /** Execution ids: ULIDs, so listings read newest first. */
  readonly newId: () => string;
  /** Models' training schedules: EventBridge rules in the cloud, the LocalScheduler on a laptop. */
  readonly schedules: ScheduleRules;
}

export class ExecutionNotFoundError extends NotFoundError {
  constructor(executionId: string) {
    super(`Pipeline execution ${executionId} does not exist.`);
  }
}

/** Inline entity rows go to the object store: a state machine's payload is limited to 256 KiB. */
const storeEntities = async (
  deps: PipelinesDeps,
  executionId: string,
  request: TrainingRequest,
): Promise<StoredTrainingRequest> => {
  const { entities, ...rest } = request;
  if (entities === undefined) return { ...rest, entitiesUri: request.entitiesUri! };
  const key = `${executionObjectPrefix(executionId)}entities.jsonl`;
  const body = `${entities.map((row) => JSON.stringify(row)).join('\n')}\n`;
  await deps.objects.put(key, Buffer.from(body), { contentType: 'application/x-ndjson' });
  return { ...rest, entitiesUri: deps.objects.uriOf(key) };
};

/** Records the execution RUNNING, then starts it; a start that fails closes the record as FAILED. */
export const startTrainingExecution = async (
  deps: PipelinesDeps,
  request: TrainingRequest,
  actor: string,
  trigger: ExecutionTrigger = 'api',
): Promise<ExecutionRecord> => {
  const executionId = deps.newId();
  const stored = await storeEntities(deps, executionId, request);
  const record: ExecutionRecord = {
    executionId,
    pipeline: 'training',
    model: request.model,
    status: 'RUNNING',
    startedAt: deps.clock.now().toISOString(),
    startedBy: actor,
    trigger,
    request: stored,
  };
  await deps.store.transact([
    { kind: 'put', ...executionKey(executionId), data: json(record), condition: { rev: 0 } },
    { kind: 'put', ...modelExecutionKey(request.model, executionId), data: {}, condition: { rev: 0 } },
  ]);
  try {
    await deps.engine.start('training-pipeline', executionId, { request: stored });
  } catch (error) {
    await closeExecution(deps, executionId, {
      status: 'FAILED',
      error: 'StartFailed',
      cause: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
  return record;
};

export type ExecutionOutcome = Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>;

/**
 * Closes the record (Notify and RecordFailure tasks). True when this call closed it; false when it
 * was closed already (a retried step), which then changes nothing.
 */
export const closeExecution = (
  deps: Pick<PipelinesDeps, 'store' | 'clock'>,
  executionId: string,
  outcome: ExecutionOutcome,
): Promise<boolean> =>
  withOptimisticRetry(DEFAULT_RETRY, async () => {
    const item = await deps.store.get(executionKey(executionId));
    if (!item) throw new ExecutionNotFoundError(executionId);
    const current = decodeExecution(item);
    if (current.status !== 'RUNNING') return false;
    const cause = readableCause(outcome.cause);
    const closed: ExecutionRecord = {
      ...current,
      status: outcome.status,
      endedAt: deps.clock.now().toISOString(),
      ...(outcome.output === undefined ? {} : { output: outcome.output }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      ...(cause === undefined ? {} : { cause }),
    };
    await deps.store.put({
      ...executionKey(executionId),
      data: json(closed),
      condition: { rev: item.rev },
    });
    return true;
  });

export const loadExecution = async (
  deps: Pick<PipelinesDeps, 'store'>,
  executionId: string,
): Promise<ExecutionRecord> => {
  const item = await deps.store.get(executionKey(executionId));
  if (!item) throw new ExecutionNotFoundError(executionId);
  return decodeExecution(item);
};

const viewOf = (
  record: ExecutionRecord,
  live?: Awaited<ReturnType<WorkflowEngine['describe']>>,
): ExecutionView => {
  const { request: _request, ...rest } = record;
  if (!live) return { ...rest, steps: [] };
  // The engine knows the status first; the record knows the outcome once a task has written it.
  const error = record.error ?? live.error;
  const cause = record.cause ?? readableCause(live.cause);
  return {
    ...rest,
    status: live.status,
    ...(live.endedAt === undefined ? {} : { endedAt: record.endedAt ?? live.endedAt }),
    steps: [...live.steps],
    ...(error === undefined ? {} : { error }),
    ...(cause === undefined ? {} : { cause }),
  };
};

/** The execution with its live steps, as GET /pipelines/executions/{id} shows it. */
export const describeExecution = async (deps: PipelinesDeps, executionId: string): Promise<ExecutionView> => {
  const record = await loadExecution(deps, executionId);
  return viewOf(record, await deps.engine.describe('training-pipeline', executionId));
};

/** Executions newest first, all or of one model; the stored status (live steps are in describe). */
export const listExecutions = async (
  deps: PipelinesDeps,
  options: { readonly model?: string; readonly limit: number; readonly cursor?: string },
): Promise<{ items: ExecutionView[]; nextToken?: string }> => {
  const pk = options.model === undefined ? EXECUTIONS_PK : modelExecutionsPk(options.model);
  const page = await deps.store.query(pk, {
    limit: options.limit,
    descending: true,
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  });
  const records =
    options.model === undefined
      ? page.items.map(decodeExecution)
      : (await deps.store.batchGet(page.items.map((item) => executionKey(item.sk))))
          .filter((item) => item !== undefined)
          .map(decodeExecution);
  return apiPage({ items: records, cursor: page.cursor }, (record) => viewOf(record));
};

/**
 * Closes as ABORTED every execution still RUNNING in the record: the local platform calls it at
 * start-up, because its Step Functions runner keeps executions in memory and a restart ends them.
 */
export const abortOrphanedExecutions = async (
  deps: Pick<PipelinesDeps, 'store' | 'clock'>,
  reason: string,
): Promise<number> => {
  let aborted = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(EXECUTIONS_PK, { limit: 1000, cursor });
    for (const item of page.items) {
      if (decodeExecution(item).status !== 'RUNNING') continue;
      if (
        await closeExecution(deps, item.sk, { status: 'ABORTED', error: 'PlatformRestarted', cause: reason })
      )
        aborted++;
    }
    cursor = page.cursor;
  } while (cursor);
  return aborted;
};
