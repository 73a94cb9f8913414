import { ValidationError } from '../shared/errors';
import { type RunRecord, type RunStatus, runRecordToJson } from '../shared/ports/run-search-index';
import { assertRunFits, type ExperimentsContext, updateRun } from './context';
import {
  ModelVersionNotFoundError,
  ParamValueConflictError,
  RunNotFoundError,
  RunStateError,
} from './errors';
import { getExperiment } from './experiments';
import { runKey, runRefKey } from './keys';
import { decodeRun } from './records';

/** What callers may log as a param; stored as a string, as MLflow does (`true`, `5`, `0.1`). */
export type ParamValue = string | number | boolean;

export interface NewRun {
  readonly name?: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly tags?: Readonly<Record<string, string>>;
  /** Epoch milliseconds; defaults to now. */
  readonly startTime?: number;
}

export const paramsAsStrings = (params: Readonly<Record<string, ParamValue>>): Record<string, string> =>
  Object.fromEntries(Object.entries(params).map(([key, value]) => [key, String(value)]));

/**
 * Starts a run in an experiment. The run item and the pointer from its id to its experiment are
 * written in one transaction; the run item is also what every search index reads.
 */
export const createRun = async (
  ctx: ExperimentsContext,
  experimentId: string,
  input: NewRun,
  actor: string,
): Promise<RunRecord> => {
  await getExperiment(ctx, experimentId);
  const now = ctx.clock.now();
  const run: RunRecord = {
    runId: ctx.newId(),
    experimentId,
    ...(input.name === undefined ? {} : { name: input.name }),
    status: 'RUNNING',
    userId: actor,
    startTime: input.startTime ?? now.getTime(),
    params: paramsAsStrings(input.params ?? {}),
    tags: { ...input.tags },
    metrics: {},
    modelVersions: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  assertRunFits(run, 'body');
  await ctx.store.transact([
    { kind: 'put', ...runKey(experimentId, run.runId), data: runRecordToJson(run), condition: { rev: 0 } },
    { kind: 'put', ...runRefKey(run.runId), data: { experimentId }, condition: { rev: 0 } },
  ]);
  return run;
};

export const getRun = async (ctx: ExperimentsContext, runId: string): Promise<RunRecord> => {
  const item = await ctx.store.get(await ctx.locateRun(runId));
  if (!item) throw new RunNotFoundError(runId);
  return decodeRun(item);
};

/**
 * Logs params. A param is immutable once set (MLflow's rule): logging the value it holds again changes
 * nothing, another value is a ParamValueConflictError naming every such key, and nothing is written.
 */
export const logParams = (
  ctx: ExperimentsContext,
  runId: string,
  params: Readonly<Record<string, ParamValue>>,
): Promise<RunRecord> => {
  const values = paramsAsStrings(params);
  return updateRun(ctx, runId, 'body.params', (run, now) => {
    const conflicts = Object.keys(values).filter(
      (key) => Object.hasOwn(run.params, key) && run.params[key] !== values[key],
    );
    if (conflicts.length > 0) throw new ParamValueConflictError(runId, conflicts);
    const added = Object.keys(values).filter((key) => !Object.hasOwn(run.params, key));
    if (added.length === 0) return undefined;
    return { ...run, params: { ...run.params, ...values }, updatedAt: now.toISOString() };
  });
};

/** Sets tags; unlike params, a tag may be overwritten (as in MLflow). */
export const setTags = (
  ctx: ExperimentsContext,
  runId: string,
  tags: Readonly<Record<string, string>>,
): Promise<RunRecord> =>
  updateRun(ctx, runId, 'body.tags', (run, now) => {
    const changed = Object.entries(tags).some(([key, value]) => run.tags[key] !== value);
    return changed ? { ...run, tags: { ...run.tags, ...tags }, updatedAt: now.toISOString() } : undefined;
  });

export interface FinishRun {
  readonly status: Exclude<RunStatus, 'RUNNING'>;
  /** Epoch milliseconds; defaults to now. */
  readonly endTime?: number;
}

/**
 * Ends a RUNNING run with a final status. Finishing again with the status it ended with changes nothing
 * (a retried request); another status is a RunStateError.
 */
export const finishRun = (ctx: ExperimentsContext, runId: string, input: FinishRun): Promise<RunRecord> =>
  updateRun(ctx, runId, 'body', (run, now) => {
    if (run.status === input.status) return undefined;
    if (run.status !== 'RUNNING') {
      throw new RunStateError(
        `Run ${runId} ended as ${run.status} already; only a RUNNING run can be finished.`,
      );
    }
    const endTime = input.endTime ?? now.getTime();
    if (endTime < run.startTime) {
      throw new ValidationError([
        { field: 'body.endTime', rule: 'after_start', message: 'must not be before the run started' },
      ]);
    }
    return { ...run, status: input.status, endTime, updatedAt: now.toISOString() };
  });

/** Records that the run produced a model version; linking the same version again changes nothing. */
export const linkModelVersion = async (
  ctx: ExperimentsContext,
  runId: string,
  link: { model: string; version: number },
): Promise<RunRecord> => {
  await ctx.locateRun(runId);
  if (ctx.modelVersionExists && !(await ctx.modelVersionExists(link.model, link.version))) {
    throw new ModelVersionNotFoundError(link.model, link.version);
  }
  return updateRun(ctx, runId, 'body', (run, now) => {
    if (run.modelVersions.some((v) => v.model === link.model && v.version === link.version)) return undefined;
    const linked = { model: link.model, version: link.version, linkedAt: now.toISOString() };
    return { ...run, modelVersions: [...run.modelVersions, linked], updatedAt: now.toISOString() };
  });
};
