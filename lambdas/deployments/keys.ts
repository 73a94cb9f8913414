/**
 * Where the deployments capability keeps its items in the single metadata table; its own (others ask
 * through the HTTP API).
 *
 * | item                    | pk                       | sk                 |
 * | ----------------------- | ------------------------ | ------------------ |
 * | endpoint                | endpoint#{name}          | #endpoint          |
 * | endpoint index          | endpoints                | {name}             |
 * | endpoint name claim     | endpoints#names          | {name, lower case} |
 * | deployment              | endpoint#{name}          | deployment#{ULID}  |
 * | active deployment index | deployments#active       | {endpoint}         |
 * | variant figures         | endpoint#{name}#figures  | {ULID}             |
 * | A/B assignments         | endpoint#{name}#ab#{id}  | {ULID}             |
 *
 * The name claim makes names unique case-insensitively, as SageMaker's are: created with `{rev: 0}`
 * beside the endpoint, deleted with it.
 * The active-deployment index holds one item per endpoint with a deployment in progress: created with
 * `{rev: 0}`, so an endpoint never runs two; the driver lists it to find phases whose bake has ended.
 * Variant figures are append-only flushes of per-variant counters (requests, errors, latency samples,
 * comparisons), read back by time range (their ULIDs) when guards evaluate a phase. A/B assignments
 * are append-only flushes of the inference ids each variant answered (one item per variant and flush,
 * at most ASSIGNMENTS_PER_ITEM ids), read whole at each look to join them with labels.
 */
import { encodeTime } from 'ulid';
import type { ItemKey } from '../shared/ports/metadata-store';

const endpointPk = (name: string): string => `endpoint#${name}`;

export const ENDPOINTS_PK = 'endpoints';
export const ACTIVE_DEPLOYMENTS_PK = 'deployments#active';
export const DEPLOYMENT_PREFIX = 'deployment#';

export const endpointKey = (name: string): ItemKey => ({ pk: endpointPk(name), sk: '#endpoint' });
export const endpointIndexKey = (name: string): ItemKey => ({ pk: ENDPOINTS_PK, sk: name });
export const endpointNameKey = (name: string): ItemKey => ({
  pk: 'endpoints#names',
  sk: name.toLowerCase(),
});
export const deploymentKey = (endpoint: string, id: string): ItemKey => ({
  pk: endpointPk(endpoint),
  sk: `${DEPLOYMENT_PREFIX}${id}`,
});
export const activeDeploymentKey = (endpoint: string): ItemKey => ({
  pk: ACTIVE_DEPLOYMENTS_PK,
  sk: endpoint,
});
export const figuresPk = (endpoint: string): string => `${endpointPk(endpoint)}#figures`;

/** Sort-key bounds of figures flushed in [fromMs, toMs]. */
export const figuresRange = (fromMs: number, toMs: number) => ({
  gte: `${encodeTime(fromMs, 10)}${'0'.repeat(16)}`,
  lte: `${encodeTime(toMs, 10)}${'Z'.repeat(16)}`,
});

export const assignmentsPk = (endpoint: string, deploymentId: string): string =>
  `${endpointPk(endpoint)}#ab#${deploymentId}`;
/** Ids per assignments item: 2,000 ids of ≤ 128 characters stay far below DynamoDB's 400 KB. */
export const ASSIGNMENTS_PER_ITEM = 2_000;
