import { sortableIdGenerator } from '../shared/ids';
import { DEFAULT_RETRY, type RetryPolicy } from '../shared/optimistic-retry';
import type { Clock } from '../shared/ports/clock';
import type { MetadataStore } from '../shared/ports/metadata-store';
import type { ModelHost } from '../shared/ports/model-host';
import type { ObjectStore } from '../shared/ports/object-store';
import { ServingRecorder } from './recorder';
import type { RolloutSettings } from './rollout';

export { DEFAULT_RETRY, type RetryPolicy, withOptimisticRetry } from '../shared/optimistic-retry';

/** What the deployments capability needs: stores, the model host, one clock, ids and retries. */
export interface DeploymentsDeps {
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly host: ModelHost;
  readonly newId: (atMs?: number) => string;
  readonly retry: RetryPolicy;
  /** Uniform in [0, 1): variant choice without a key, shadow mirroring, capture sampling. */
  readonly random: () => number;
  readonly recorder: ServingRecorder;
  /** Recorded in audit entries (e.g. `local`, `prod`). */
  readonly environment?: string;
  /**
   * The cloud path: each deployment runs as an execution of the deployment state machine, whose tasks
   * move its phases. Absent locally, where the driver moves them by the Clock.
   */
  readonly rollout?: RolloutSettings;
}

/** Deployments deps with ULIDs on the given clock, the default retry policy and Math.random. */
export const deploymentsDeps = (
  deps: Pick<DeploymentsDeps, 'store' | 'objects' | 'clock' | 'host'> &
    Partial<Pick<DeploymentsDeps, 'retry' | 'random' | 'environment' | 'rollout'>>,
): DeploymentsDeps => {
  const newId = sortableIdGenerator(deps.clock);
  const random = deps.random ?? Math.random;
  return {
    retry: DEFAULT_RETRY,
    ...deps,
    random,
    newId,
    recorder: new ServingRecorder({
      store: deps.store,
      objects: deps.objects,
      clock: deps.clock,
      newId,
      random,
    }),
  };
};
