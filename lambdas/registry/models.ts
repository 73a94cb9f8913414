import { ConditionFailedError } from '../shared/errors';
import { apiPage } from '../shared/page';
import { json, type Stored } from '../shared/stored';
import type { RegistryDeps } from './deps';
import { ModelExistsError, ModelNotFoundError, NotAnApproverError } from './errors';
import {
  ALIAS_PREFIX,
  MODEL_AND_ALIASES_RANGE,
  MODEL_SK,
  MODELS_PK,
  modelIndexKey,
  modelKey,
  versionsPk,
} from './keys';
import { auditOp, decodeAlias, decodeModel, type ModelRecord } from './records';
import type { CreateModelInput } from './schemas';

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface ModelView extends ModelRecord {
  /** Alias → version, in GET /models/{name} only. */
  readonly aliases?: Record<string, number>;
}

/** Creates a model with its index entry and its first audit entry; 409 if the name is taken. */
export const createModel = async (
  deps: RegistryDeps,
  input: CreateModelInput,
  actor: string,
): Promise<ModelRecord> => {
  const now = deps.clock.now().toISOString();
  const record: ModelRecord = {
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    tags: input.tags ?? {},
    ...(input.card === undefined ? {} : { card: input.card }),
    // champion is always protected (issue 3); a model may protect more aliases, never fewer.
    protectedAliases: [...new Set(['champion', ...input.protectedAliases])],
    ...(input.approvers === undefined ? {} : { approvers: [...new Set(input.approvers)] }),
    latestVersion: 0,
    createdAt: now,
    createdBy: actor,
    updatedAt: now,
  };
  try {
    await deps.store.transact([
      { kind: 'put', ...modelKey(input.name), data: json(record), condition: { rev: 0 } },
      { kind: 'put', ...modelIndexKey(input.name), data: { name: input.name }, condition: { rev: 0 } },
      auditOp({ id: deps.newId(), kind: 'model-created', at: now, actor, model: input.name }),
    ]);
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new ModelExistsError(input.name, { cause: error });
    throw error;
  }
  return record;
};

/** The model item (with its rev, for conditional writes), or ModelNotFoundError. */
export const loadModel = async (deps: RegistryDeps, name: string): Promise<Stored<ModelRecord>> => {
  const item = await deps.store.get(modelKey(name));
  if (!item) throw new ModelNotFoundError(name);
  return decodeModel.stored(item);
};

/** The model with its aliases, read in one query: the model item sorts just before its alias items. */
export const getModel = async (deps: RegistryDeps, name: string): Promise<ModelView> => {
  const aliases: Record<string, number> = {};
  let model: ModelRecord | undefined;
  let cursor: string | undefined;
  do {
    const page = await deps.store.query(versionsPk(name), {
      range: MODEL_AND_ALIASES_RANGE,
      limit: 1000,
      cursor,
    });
    for (const item of page.items) {
      if (item.sk === MODEL_SK) model = decodeModel(item);
      else if (item.sk.startsWith(ALIAS_PREFIX)) {
        const alias = decodeAlias(item);
        aliases[alias.alias] = alias.version;
      }
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
  if (!model) throw new ModelNotFoundError(name);
  return { ...model, aliases };
};

/** Models in name order: a page of the index, then one batch read of the model items. */
export const listModels = async (
  deps: RegistryDeps,
  page: PageRequest,
): Promise<{ items: ModelRecord[]; nextToken?: string }> => {
  const index = await deps.store.query(MODELS_PK, { limit: page.limit, cursor: page.cursor });
  const models = await deps.store.batchGet(index.items.map((item) => modelKey(item.sk)));
  return apiPage({
    items: models.flatMap((item) => (item ? [decodeModel(item)] : [])),
    cursor: index.cursor,
  });
};

/** When the model lists approvers, only they may decide approvals and move protected aliases. */
export const assertApprover = (model: ModelRecord, actor: string, action: string): void => {
  if (model.approvers !== undefined && !model.approvers.includes(actor)) {
    throw new NotAnApproverError(model.name, actor, action);
  }
};
