import type { NotificationDeps } from '../platform/notifications';
import { sortableIdGenerator } from '../shared/ids';
import { DEFAULT_RETRY, type RetryPolicy } from '../shared/optimistic-retry';
import type { Clock } from '../shared/ports/clock';
import type { EventPublisher } from '../shared/ports/event-publisher';
import type { MetadataStore } from '../shared/ports/metadata-store';
import type { ObjectStore } from '../shared/ports/object-store';
import { noScheduleRules, type ScheduleRules } from '../shared/ports/schedule-rules';
import type { MonitorReport } from './records';

/** Where monitors' schedules live: one EventBridge rule per monitor in the cloud, the LocalScheduler on a laptop. */
export type MonitorSchedules = ScheduleRules;
export { noScheduleRules as noSchedules };

export interface MonitoringDeps {
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly events: EventPublisher;
  readonly notifications: NotificationDeps;
  readonly schedules: MonitorSchedules;
  /** ULIDs on `clock`: run and report ids, audit entries. */
  readonly newId: (atMs?: number) => string;
  readonly retry: RetryPolicy;
  /** Told of each finished report: the cloud job emits CloudWatch metrics (EMF) from it. */
  readonly onReport?: (report: MonitorReport) => void;
  /** Told when a RetrainingRequested event could not be published (it is kept as pending instead). */
  readonly onPublishFailure?: (error: unknown) => void;
  /** Told of the error behind each failed run (the report shows only platform errors' messages). */
  readonly onRunFailure?: (error: unknown, monitor: string) => void;
}

/** Monitoring deps with ULIDs on the given clock and the default retry policy. */
export const monitoringDeps = (
  deps: Pick<MonitoringDeps, 'store' | 'objects' | 'clock' | 'events' | 'schedules' | 'notifications'> &
    Partial<Pick<MonitoringDeps, 'retry' | 'onReport' | 'onPublishFailure' | 'onRunFailure'>>,
): MonitoringDeps => ({ retry: DEFAULT_RETRY, ...deps, newId: sortableIdGenerator(deps.clock) });
