/**
 * Endpoints: create (one Approved version at 100 %), read, list, delete; the records' loaders and views
 * the rest of the capability shares. Instant rollback is in rollback.ts.
 */

import {
  deploymentAuditOp,
  readServableVersion,
  resolveAlias,
  type ServableVersion,
  versionUnchangedOp,
} from '../registry/public';
import { ConditionFailedError, NotFoundError, ValidationError } from '../shared/errors';
import type { WriteOp } from '../shared/ports/metadata-store';
import { type DeploymentsDeps, withOptimisticRetry } from './deps';
import {
  DeploymentNotFoundError,
  EndpointExistsError,
  EndpointNotFoundError,
  VersionNotServableError,
} from './errors';
import {
  activeDeploymentKey,
  deploymentKey,
  ENDPOINTS_PK,
  endpointIndexKey,
  endpointKey,
  endpointNameKey,
} from './keys';
import {
  type DeploymentRecord,
  decodeDeployment,
  decodeEndpoint,
  type EndpointRecord,
  type HistoryEntry,
  json,
  MAX_HISTORY,
  type Stored,
  type VariantRecord,
} from './records';
import { startRollout } from './rollout';
import { variantName } from './routing';
import type { CreateEndpointInput } from './schemas';

export const loadEndpoint = async (deps: DeploymentsDeps, name: string): Promise<Stored<EndpointRecord>> => {
  const item = await deps.store.get(endpointKey(name));
  if (!item) throw new EndpointNotFoundError(name);
  return decodeEndpoint.stored(item);
};

export const loadDeployment = async (
  deps: DeploymentsDeps,
  endpoint: string,
  id: string,
): Promise<Stored<DeploymentRecord>> => {
  const item = await deps.store.get(deploymentKey(endpoint, id));
  if (!item) throw new DeploymentNotFoundError(endpoint, id);
  return decodeDeployment.stored(item);
};

/** The version a request names (a number, or an alias of the model), as serving sees it; 404 when missing. */
export const resolveVersion = async (
  deps: DeploymentsDeps,
  model: string,
  target: { version?: number | undefined; alias?: string | undefined },
): Promise<ServableVersion> => {
  let version = target.version;
  if (version === undefined) {
    version = await resolveAlias(deps.store, model, target.alias ?? '');
    if (version === undefined) {
      throw new NotFoundError(`Model ${model} has no alias ${target.alias}.`);
    }
  }
  const found = await readServableVersion(deps.store, model, version);
  if (!found) throw new NotFoundError(`Model ${model} has no version ${version}.`);
  return found;
};

/** Refuses production traffic to a version that is not Approved, with the reason. */
export const assertProductionReady = (version: ServableVersion): void => {
  if (version.status !== 'Approved') {
    throw new VersionNotServableError(
      `Version ${version.version} of model ${version.model} is ${version.status}; only an Approved version takes production traffic (it may run as a shadow).`,
      version.status,
    );
  }
};

export const variantOf = (
  version: ServableVersion,
  weight: number,
  role: 'production' | 'shadow',
): VariantRecord => ({
  name: variantName(version.version),
  model: version.model,
  version: version.version,
  weight,
  role,
  artifactUri: version.artifactUri,
  artifactSha256: version.artifactSha256,
});

export const withHistory = (record: EndpointRecord, entry: HistoryEntry): HistoryEntry[] =>
  [...record.history, entry].slice(-MAX_HISTORY);

/** The endpoint as the API shows it: variants without their artifact locations. */
export const endpointView = (record: EndpointRecord) => ({
  name: record.name,
  model: record.model,
  status: record.activeDeployment ? ('Updating' as const) : ('InService' as const),
  variants: record.variants.map(({ name, model, version, weight, role }) => ({
    name,
    model,
    version,
    weight,
    role,
  })),
  ...(record.shadowPercent === undefined ? {} : { shadowPercent: record.shadowPercent }),
  ...(record.activeDeployment ? { activeDeployment: record.activeDeployment } : {}),
  capture: record.capture,
  history: record.history,
  createdAt: record.createdAt,
  updatedAt: record.updatedAt,
});
export type EndpointView = ReturnType<typeof endpointView>;

/**
 * Creates an endpoint serving one Approved version at 100 %: the endpoint, its index entry, a finished
 * all-at-once deployment and a `deployment` audit entry in one transaction, with a check that the
 * version is still the one read (still Approved).
 */
export const createEndpoint = async (
  deps: DeploymentsDeps,
  input: CreateEndpointInput,
  actor: string,
): Promise<{ name: string; deploymentId: string }> => {
  // SageMaker endpoint names are case-insensitive: `Ep` exists when `ep` does.
  if (
    (await deps.store.get(endpointKey(input.name))) !== undefined ||
    (await deps.store.get(endpointNameKey(input.name))) !== undefined
  )
    throw new EndpointExistsError(input.name);
  const version = await resolveVersion(deps, input.model, input);
  assertProductionReady(version);
  const nowMs = deps.clock.now().getTime();
  const now = new Date(nowMs).toISOString();
  const id = deps.newId(nowMs);
  const variant = variantOf(version, 100, 'production');
  const record: EndpointRecord = {
    name: input.name,
    model: input.model,
    variants: [variant],
    previousVersions: [],
    capture: { percent: input.capture?.percent ?? 100 },
    config: {
      ...(input.instanceType === undefined ? {} : { instanceType: input.instanceType }),
      ...(input.instanceCount === undefined ? {} : { instanceCount: input.instanceCount }),
      ...(input.serverless === undefined ? {} : { serverless: input.serverless }),
    },
    history: [{ at: now, actor, action: 'created', version: version.version, from: null, deploymentId: id }],
    createdAt: now,
    createdBy: actor,
    updatedAt: now,
  };
  const deployment: DeploymentRecord = {
    id,
    endpoint: input.name,
    model: input.model,
    version: version.version,
    variant: variant.name,
    from: null,
    strategy: 'all-at-once',
    steps: [100],
    bakeSeconds: 0,
    guards: {},
    status: 'SUCCEEDED',
    phases: [{ weights: { [variant.name]: 100 }, startedAt: now, endedAt: now }],
    decision: 'promoted',
    reason: 'endpoint created',
    createdAt: now,
    createdBy: actor,
    updatedAt: now,
  };
  try {
    await deps.store.transact([
      { kind: 'put', ...endpointKey(input.name), data: json(record), condition: { rev: 0 } },
      { kind: 'put', ...endpointIndexKey(input.name), data: { name: input.name }, condition: { rev: 0 } },
      { kind: 'put', ...deploymentKey(input.name, id), data: json(deployment), condition: { rev: 0 } },
      checkVersion(version),
      { kind: 'put', ...endpointNameKey(input.name), data: { name: input.name }, condition: { rev: 0 } },
      deploymentAuditOp({
        id: deps.newId(nowMs),
        at: now,
        actor,
        model: input.model,
        version: version.version,
        endpoint: input.name,
        deploymentId: id,
        action: 'promoted',
        strategy: 'all-at-once',
        from: null,
        reason: 'endpoint created',
        ...(deps.environment ? { environment: deps.environment } : {}),
      }),
    ]);
  } catch (error) {
    if (error instanceof ConditionFailedError && error.failedIndex !== 3) {
      throw new EndpointExistsError(input.name, { cause: error });
    }
    throw error;
  }
  // In the cloud the deployment state machine creates the SageMaker endpoint (its Record step finds the
  // deployment closed already: the endpoint serves one version from the start).
  if (deps.rollout) await startRollout(deps.rollout, record, deployment, { endpointExists: false });
  return { name: input.name, deploymentId: id };
};

/** Asserts, in the same transaction, that the version is still as read (e.g. still Approved). */
export const checkVersion = (version: ServableVersion): WriteOp =>
  versionUnchangedOp(version.model, version.version, version.rev);

export const getEndpoint = async (deps: DeploymentsDeps, name: string): Promise<EndpointView> =>
  endpointView((await loadEndpoint(deps, name)).data);

export const listEndpoints = async (
  deps: DeploymentsDeps,
  request: { limit?: number; cursor?: string | undefined },
): Promise<{ items: EndpointView[]; nextToken?: string }> => {
  const page = await deps.store.query(ENDPOINTS_PK, {
    limit: request.limit ?? 100,
    ...(request.cursor ? { cursor: request.cursor } : {}),
  });
  const items = await deps.store.batchGet(page.items.map((item) => endpointKey(item.sk)));
  return {
    items: items.flatMap((item) => (item ? [endpointView(decodeEndpoint.stored(item).data)] : [])),
    ...(page.cursor ? { nextToken: page.cursor } : {}),
  };
};

/** Deletes an endpoint, its index entry and its active-deployment entry (stopping the deployment). */
export const deleteEndpoint = async (deps: DeploymentsDeps, name: string): Promise<void> => {
  await withOptimisticRetry(deps.retry, async () => {
    const endpoint = await loadEndpoint(deps, name);
    const ops: WriteOp[] = [
      { kind: 'delete', ...endpointKey(name), condition: { rev: endpoint.rev } },
      { kind: 'delete', ...endpointIndexKey(name) },
      { kind: 'delete', ...endpointNameKey(name) },
    ];
    if (endpoint.data.activeDeployment) {
      const deployment = await loadDeployment(deps, name, endpoint.data.activeDeployment);
      const now = deps.clock.now().toISOString();
      ops.push(
        { kind: 'delete', ...activeDeploymentKey(name) },
        {
          kind: 'put',
          ...deploymentKey(name, deployment.data.id),
          data: json(stop(deployment.data, now, 'FAILED', 'stopped', 'the endpoint was deleted')),
          condition: { rev: deployment.rev },
        },
      );
    }
    await deps.store.transact(ops);
  });
};

/** A deployment closed now: its open phase ended, status and decision set. */
export const stop = (
  deployment: DeploymentRecord,
  now: string,
  status: DeploymentRecord['status'],
  decision: string,
  reason: string,
): DeploymentRecord => ({
  ...deployment,
  status,
  decision,
  reason,
  phases: deployment.phases.map((phase, i) =>
    i === deployment.phases.length - 1 && phase.endedAt === undefined ? { ...phase, endedAt: now } : phase,
  ),
  updatedAt: now,
});

/** Records hold JSON only: optional members set to undefined are left out. */
export const dropUndefined = <T extends object>(record: T): T =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;

export const invalid = (field: string, rule: string, message: string) =>
  new ValidationError([{ field, rule, message }]);
