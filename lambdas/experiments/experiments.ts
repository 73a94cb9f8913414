import { ConditionFailedError } from '../shared/errors';
import type { JsonObject, Page } from '../shared/ports/metadata-store';
import type { ExperimentsContext } from './context';
import { DuplicateExperimentNameError, ExperimentNotFoundError } from './errors';
import { EXPERIMENTS_PK, experimentKey, experimentNameKey } from './keys';

export type ExperimentRecord = {
  readonly experimentId: string;
  readonly name: string;
  readonly description?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly createdBy: string;
};

export interface NewExperiment {
  readonly name: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Creates an experiment. Its name is claimed by an item of its own, written in the same transaction,
 * so two concurrent creations with one name cannot both succeed.
 */
export const createExperiment = async (
  ctx: ExperimentsContext,
  input: NewExperiment,
  actor: string,
): Promise<ExperimentRecord> => {
  const experiment: ExperimentRecord = {
    experimentId: ctx.newId(),
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    tags: input.tags ?? {},
    createdAt: ctx.clock.now().toISOString(),
    createdBy: actor,
  };
  try {
    await ctx.store.transact([
      {
        kind: 'put',
        ...experimentKey(experiment.experimentId),
        data: toJson(experiment),
        condition: { rev: 0 },
      },
      {
        kind: 'put',
        ...experimentNameKey(experiment.name),
        data: { experimentId: experiment.experimentId },
        condition: { rev: 0 },
      },
    ]);
  } catch (error) {
    if (error instanceof ConditionFailedError)
      throw new DuplicateExperimentNameError(input.name, { cause: error });
    throw error;
  }
  return experiment;
};

export const getExperiment = async (
  ctx: ExperimentsContext,
  experimentId: string,
): Promise<ExperimentRecord> => {
  const item = await ctx.store.get(experimentKey(experimentId));
  if (!item) throw new ExperimentNotFoundError(experimentId);
  return item.data as unknown as ExperimentRecord;
};

/** Experiments newest first; with `name`, the one experiment of that name (or none). */
export const listExperiments = async (
  ctx: ExperimentsContext,
  options: { limit: number; cursor?: string; name?: string },
): Promise<Page<ExperimentRecord>> => {
  if (options.name !== undefined) {
    const claim = await ctx.store.get<{ experimentId: string }>(experimentNameKey(options.name));
    const item = claim && (await ctx.store.get(experimentKey(claim.data.experimentId)));
    return { items: item ? [item.data as unknown as ExperimentRecord] : [] };
  }
  const page = await ctx.store.query(EXPERIMENTS_PK, {
    limit: options.limit,
    descending: true,
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  });
  return {
    items: page.items.map((item) => item.data as unknown as ExperimentRecord),
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
};

const toJson = (experiment: ExperimentRecord): JsonObject => experiment as unknown as JsonObject;
