import { ConditionFailedError } from '../shared/errors';
import { mapPage } from '../shared/page';
import type { Page } from '../shared/ports/metadata-store';
import { json } from '../shared/stored';
import type { ExperimentsContext } from './context';
import { DuplicateExperimentNameError, ExperimentNotFoundError } from './errors';
import { EXPERIMENTS_PK, experimentKey, experimentNameKey } from './keys';
import { decodeExperiment, type ExperimentRecord } from './records';

export type { ExperimentRecord };

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
        data: json(experiment),
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
  return decodeExperiment(item);
};

/** Experiments newest first; with `name`, the one experiment of that name (or none). */
export const listExperiments = async (
  ctx: ExperimentsContext,
  options: { limit: number; cursor?: string; name?: string },
): Promise<Page<ExperimentRecord>> => {
  if (options.name !== undefined) {
    const claim = await ctx.store.get<{ experimentId: string }>(experimentNameKey(options.name));
    const item = claim && (await ctx.store.get(experimentKey(claim.data.experimentId)));
    return { items: item ? [decodeExperiment(item)] : [] };
  }
  const page = await ctx.store.query(EXPERIMENTS_PK, {
    limit: options.limit,
    descending: true,
    ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
  });
  return mapPage(page, decodeExperiment);
};
