import type { JsonObject } from './metadata-store';

/**
 * A domain event other parts of the platform (and users' own rules) react to: a model version
 * approved, an alias moved, drift confirmed. EventBridge in the cloud; an in-process bus locally.
 */
export interface PlatformEvent {
  /** `mlops.<capability>`, e.g. `mlops.registry`. */
  readonly source: `mlops.${string}`;
  /** What happened, e.g. `ModelVersionApproved`, `ModelAliasMoved`. */
  readonly detailType: string;
  readonly detail: JsonObject;
  /** ISO-8601; defaults to the time of publishing. */
  readonly time?: string;
}

export interface EventPublisher {
  /** Publishes in order; throws if any event could not be delivered to the bus. */
  publish(events: readonly PlatformEvent[]): Promise<void>;
}
