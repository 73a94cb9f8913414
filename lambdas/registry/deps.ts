import type { AfterCommitDeps } from '../shared/events/publish-after-commit';
import { sortableIdGenerator } from '../shared/ids';
import { DEFAULT_RETRY, type RetryPolicy } from '../shared/optimistic-retry';
import type { PlatformEvent } from '../shared/ports/event-publisher';
import type { JsonObject } from '../shared/ports/metadata-store';

export { DEFAULT_RETRY, type RetryPolicy, withOptimisticRetry } from '../shared/optimistic-retry';

/** What the registry needs: the after-commit outbox's deps (store, bus, clock, publish hooks) and retries. */
export interface RegistryDeps extends AfterCommitDeps {
  /** Time-sortable ids (ULIDs) for audit and alias-history entries, and for pending events. */
  readonly newId: (atMs?: number) => string;
  readonly retry: RetryPolicy;
}

/** Registry deps with a ULID generator on the given clock and the default retry policy. */
export const registryDeps = (
  deps: Pick<RegistryDeps, 'store' | 'events' | 'clock'> &
    Partial<Pick<RegistryDeps, 'retry' | 'onPublishFailure'>>,
): RegistryDeps => ({ retry: DEFAULT_RETRY, ...deps, newId: sortableIdGenerator(deps.clock) });

export const REGISTRY_EVENT_SOURCE = 'mlops.registry';

export const registryEvent = (detailType: string, detail: JsonObject, time: string): PlatformEvent => ({
  source: REGISTRY_EVENT_SOURCE,
  detailType,
  detail,
  time,
});
