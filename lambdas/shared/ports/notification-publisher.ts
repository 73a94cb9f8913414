/** A notification the platform sends to people and systems (drift, gate failure, approval, ...). */
export interface Notification {
  readonly id: string;
  /** Dotted kind, e.g. `monitoring.drift.detected`; subscribers filter on it. */
  readonly type: string;
  readonly subject: string;
  readonly message: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly detail?: unknown;
  /** ISO-8601. */
  readonly createdAt: string;
}

/** Delivers a notification to subscribers: SNS in the cloud, an outbox + webhooks locally. */
export interface NotificationPublisher {
  publish(notification: Notification): Promise<void>;
}
