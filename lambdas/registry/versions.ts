import { ConflictError, ValidationError } from '../shared/errors';
import { publishAfterCommit } from '../shared/events/publish-after-commit';
import { apiPage } from '../shared/page';
import { json, type Stored } from '../shared/stored';
import type { RegistryDeps } from './deps';
import { registryEvent, withOptimisticRetry } from './deps';
import { ModelVersionNotFoundError } from './errors';
import { modelKey, statusIndexKey, statusIndexPk, VERSION_PREFIX, versionKey, versionsPk } from './keys';
import { loadModel, type PageRequest } from './models';
import { auditOp, decodeVersion, type VersionRecord } from './records';
import { MAX_VERSION, type RegisterVersionInput, type VersionStatus } from './schemas';

/**
 * Largest version record accepted, in bytes of JSON: DynamoDB items hold at most 400 KB, and the
 * record shares its item with keys and bookkeeping.
 */
export const MAX_VERSION_BYTES = 350_000;

/**
 * Registers the next version of a model: the model's `latestVersion` rises by one in the same
 * transaction that creates the version, its status-index entry and its audit entry, conditional on
 * the model's rev. A writer that loses the race reads again and takes the next number, so versions
 * have no gap and no duplicate however many callers register at once (MLflow's MAX(version)+1 has both).
 */
export const registerVersion = async (
  deps: RegistryDeps,
  name: string,
  input: RegisterVersionInput,
  actor: string,
): Promise<VersionRecord> => {
  const record = await withOptimisticRetry(deps.retry, async () => {
    const model = await loadModel(deps, name);
    const version = model.data.latestVersion + 1;
    if (version > MAX_VERSION) {
      throw new ConflictError(`Model ${name} has used every version number up to ${MAX_VERSION}.`);
    }
    const now = deps.clock.now().toISOString();
    const created: VersionRecord = {
      model: name,
      version,
      status: 'PendingApproval',
      artifactUri: input.artifactUri,
      artifactSha256: input.artifactSha256,
      metrics: input.metrics ?? {},
      params: input.params ?? {},
      ...(input.signature === undefined ? {} : { signature: input.signature }),
      ...(input.lineage === undefined ? {} : { lineage: input.lineage }),
      ...(input.description === undefined ? {} : { description: input.description }),
      aliases: [],
      createdAt: now,
      createdBy: actor,
      updatedAt: now,
    };
    if (Buffer.byteLength(JSON.stringify(created)) > MAX_VERSION_BYTES) {
      throw new ValidationError([
        {
          field: 'body',
          rule: 'max_size',
          message: `the version record must stay below ${MAX_VERSION_BYTES} bytes of JSON`,
        },
      ]);
    }
    await deps.store.transact([
      {
        kind: 'put',
        ...modelKey(name),
        data: json({ ...model.data, latestVersion: version, updatedAt: now }),
        condition: { rev: model.rev },
      },
      { kind: 'put', ...versionKey(name, version), data: json(created), condition: { rev: 0 } },
      {
        kind: 'put',
        ...statusIndexKey(name, 'PendingApproval', version),
        data: { version },
        condition: { rev: 0 },
      },
      auditOp({
        id: deps.newId(),
        kind: 'version-registered',
        at: now,
        actor,
        model: name,
        version,
        artifactUri: input.artifactUri,
        artifactSha256: input.artifactSha256,
      }),
    ]);
    return created;
  });
  await publishAfterCommit(deps, [
    registryEvent(
      'ModelVersionRegistered',
      {
        model: name,
        version: record.version,
        status: record.status,
        artifactUri: record.artifactUri,
        artifactSha256: record.artifactSha256,
        actor,
      },
      record.createdAt,
    ),
  ]);
  return record;
};

/** The version item with its rev, or a 404 that says whether the model or the version is missing. */
export const loadVersion = async (
  deps: RegistryDeps,
  name: string,
  version: number,
): Promise<Stored<VersionRecord>> => {
  const item = await deps.store.get(versionKey(name, version));
  if (item) return decodeVersion.stored(item);
  await loadModel(deps, name);
  throw new ModelVersionNotFoundError(name, version);
};

export const getVersion = async (deps: RegistryDeps, name: string, version: number): Promise<VersionRecord> =>
  (await loadVersion(deps, name, version)).data;

export interface ListVersionsRequest extends PageRequest {
  readonly status?: VersionStatus | undefined;
  readonly descending?: boolean;
}

/**
 * Versions in number order. With a status, a page of that status's index and one batch read of the
 * versions; a version whose status changed between the two reads is left out of the page.
 */
export const listVersions = async (
  deps: RegistryDeps,
  name: string,
  request: ListVersionsRequest,
): Promise<{ items: VersionRecord[]; nextToken?: string }> => {
  await loadModel(deps, name);
  const options = { limit: request.limit, cursor: request.cursor, descending: request.descending === true };
  const status = request.status;
  if (status === undefined) {
    const page = await deps.store.query(versionsPk(name), { ...options, prefix: VERSION_PREFIX });
    return apiPage(page, decodeVersion);
  }
  const index = await deps.store.query(statusIndexPk(name, status), options);
  const versions = await deps.store.batchGet(index.items.map((item) => versionKey(name, Number(item.sk))));
  return apiPage({
    items: versions.flatMap((item) => {
      const record = item === undefined ? undefined : decodeVersion(item);
      return record?.status === status ? [record] : [];
    }),
    cursor: index.cursor,
  });
};
