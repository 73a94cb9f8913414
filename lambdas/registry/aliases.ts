import { publishAfterCommit } from '../shared/events/publish-after-commit';
import type { WriteOp } from '../shared/ports/metadata-store';
import { json, type Stored } from '../shared/stored';
import type { RegistryDeps } from './deps';
import { registryEvent, withOptimisticRetry } from './deps';
import {
  AliasNotFoundError,
  AliasTargetError,
  ModelNotFoundError,
  ModelVersionNotFoundError,
} from './errors';
import { aliasHistoryPk, aliasKey, idAfter, lastIdOfMillisecond, modelKey, versionKey } from './keys';
import { assertApprover, loadModel } from './models';
import {
  type AliasHistoryRecord,
  type AliasRecord,
  auditOp,
  decodeAlias,
  decodeAliasHistory,
  decodeModel,
  decodeVersion,
  type ModelRecord,
  type VersionRecord,
} from './records';

export interface AliasView {
  readonly model: string;
  readonly alias: string;
  readonly version: number;
  readonly protected: boolean;
  readonly since: string;
  readonly movedBy: string;
  readonly at?: string;
}

/** Why `target` may not carry `alias`, or undefined when it may. */
const refusal = (model: ModelRecord, alias: string, target: VersionRecord): string | undefined => {
  const where = `version ${target.version} of model ${model.name}`;
  if (target.status === 'Archived') return `Alias ${alias} cannot point at ${where}: it is Archived.`;
  if (model.protectedAliases.includes(alias) && target.status !== 'Approved') {
    return `Alias ${alias} is protected on model ${model.name}: it may only point at an Approved version, and ${where} is ${target.status}.`;
  }
  return undefined;
};

const withAliases = (record: VersionRecord, aliases: string[], now: string): VersionRecord => ({
  ...record,
  aliases: aliases.sort(),
  updatedAt: now,
});

/**
 * Points an alias at a version. The alias item (conditional on its rev), the versions it leaves and
 * joins (their `aliases` lists, conditional on their revs), an alias-history entry and an audit entry
 * change in one transaction; concurrent moves serialize on the alias item, and the history, written
 * in commit order, agrees with where the alias ends. Moving an alias to where it points already
 * changes nothing and records nothing.
 */
export const moveAlias = async (
  deps: RegistryDeps,
  name: string,
  alias: string,
  version: number,
  actor: string,
): Promise<AliasView> => {
  const outcome = await withOptimisticRetry(deps.retry, async () => {
    const [modelItem, aliasItem, targetItem] = await deps.store.batchGet([
      modelKey(name),
      aliasKey(name, alias),
      versionKey(name, version),
    ]);
    if (!modelItem) throw new ModelNotFoundError(name);
    const model = decodeModel(modelItem);
    const isProtected = model.protectedAliases.includes(alias);
    if (isProtected) assertApprover(model, actor, `move the protected alias ${alias}`);
    if (!targetItem) throw new ModelVersionNotFoundError(name, version);
    const target = decodeVersion.stored(targetItem);
    const why = refusal(model, alias, target.data);
    if (why !== undefined) throw new AliasTargetError(why);
    const current = aliasItem ? decodeAlias.stored(aliasItem) : undefined;
    if (current?.data.version === version) return { view: viewOf(model, current.data), moved: undefined };

    const from = current?.data.version ?? null;
    const previous: Stored<VersionRecord> | undefined =
      from === null ? undefined : await loadPrevious(deps, name, from);
    // One clock read for both: `since` and the history id must name the same millisecond, or `?at=since`
    // could miss this move.
    const nowMs = deps.clock.now().getTime();
    const now = new Date(nowMs).toISOString();
    const historyId = idAfter(deps.newId(nowMs), current?.data.historyId);
    const record: AliasRecord = { model: name, alias, version, since: now, movedBy: actor, historyId };
    const history: AliasHistoryRecord = { alias, version, from, at: now, actor };
    const ops: WriteOp[] = [
      { kind: 'put', ...aliasKey(name, alias), data: json(record), condition: { rev: current?.rev ?? 0 } },
      {
        kind: 'put',
        ...versionKey(name, version),
        data: json(withAliases(target.data, [...target.data.aliases.filter((a) => a !== alias), alias], now)),
        condition: { rev: target.rev },
      },
      {
        kind: 'put',
        pk: aliasHistoryPk(name, alias),
        sk: historyId,
        data: json(history),
        condition: { rev: 0 },
      },
      auditOp({
        id: deps.newId(),
        kind: 'alias-moved',
        at: now,
        actor,
        model: name,
        version,
        alias,
        from,
        to: version,
      }),
    ];
    if (previous) {
      ops.push({
        kind: 'put',
        ...versionKey(name, previous.data.version),
        data: json(
          withAliases(
            previous.data,
            previous.data.aliases.filter((a) => a !== alias),
            now,
          ),
        ),
        condition: { rev: previous.rev },
      });
    }
    await deps.store.transact(ops);
    return { view: viewOf(model, record), moved: { from, at: now, isProtected } };
  });
  if (outcome.moved) {
    const { from, at, isProtected } = outcome.moved;
    await publishAfterCommit(deps, [
      registryEvent(
        'ModelAliasMoved',
        { model: name, alias, from, to: version, protected: isProtected, actor },
        at,
      ),
    ]);
  }
  return outcome.view;
};

const loadPrevious = async (deps: RegistryDeps, name: string, version: number) => {
  const item = await deps.store.get(versionKey(name, version));
  return item ? decodeVersion.stored(item) : undefined;
};

const viewOf = (model: ModelRecord, record: AliasRecord): AliasView => ({
  model: record.model,
  alias: record.alias,
  version: record.version,
  protected: model.protectedAliases.includes(record.alias),
  since: record.since,
  movedBy: record.movedBy,
});

/**
 * Where an alias points now, or — with `at` — where it pointed at that instant: the newest history
 * entry whose id (a ULID, time first) falls at or before the last id of that millisecond.
 */
export const getAlias = async (
  deps: RegistryDeps,
  name: string,
  alias: string,
  at?: Date,
): Promise<AliasView> => {
  const model = (await loadModel(deps, name)).data;
  if (at === undefined) {
    const item = await deps.store.get(aliasKey(name, alias));
    if (!item) throw new AliasNotFoundError(`Model ${name} has no alias ${alias}.`);
    return viewOf(model, decodeAlias(item));
  }
  const instant = at.getTime();
  const page =
    instant < 0
      ? { items: [] }
      : await deps.store.query(aliasHistoryPk(name, alias), {
          range: { lte: lastIdOfMillisecond(instant) },
          descending: true,
          limit: 1,
        });
  const entry = page.items[0] ? decodeAliasHistory(page.items[0]) : undefined;
  if (!entry) {
    throw new AliasNotFoundError(
      `Alias ${alias} of model ${name} pointed at no version at ${at.toISOString()}.`,
    );
  }
  return {
    model: name,
    alias,
    version: entry.version,
    protected: model.protectedAliases.includes(alias),
    since: entry.at,
    movedBy: entry.actor,
    at: at.toISOString(),
  };
};
