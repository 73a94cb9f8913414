import type { NotificationDeps } from '../../platform/notifications';
import type { DeploymentsDeps } from '../deps';

/** What the deployment state machine's tasks work with: the serving core and the notifications. */
export interface DeploymentTaskDeps {
  readonly deployments: DeploymentsDeps;
  readonly notifications: NotificationDeps;
  /**
   * Prepended to a platform endpoint's name to make its SageMaker name (the state machine's
   * `endpointName`); the tasks strip it to find the platform endpoint. @default ''
   */
  readonly endpointPrefix?: string;
}

/** A failure the state machine retries (`TransientError` in the Lambda tasks' Retry). */
export class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientError';
  }
}
