/**
 * Named schedules that start platform work (a monitor's run, a model's retraining): one EventBridge
 * rule each in the cloud, created at run time because monitors and models are data; the local
 * platform's LocalScheduler on a laptop. Both replace a schedule that exists (PutRule semantics).
 */
export interface ScheduleRules {
  /**
   * Creates or replaces the schedule named `name`. Throws ValidationError naming `field` when the
   * scheduler refuses the expression; callers call it before they store anything.
   */
  put(name: string, expression: string, field: string): Promise<void>;
  /** Removing a schedule that does not exist is not an error. */
  remove(name: string): Promise<void>;
}

/** Schedule rules that keep nothing: for functions that never schedule, and tests. */
export const noScheduleRules: ScheduleRules = { put: async () => {}, remove: async () => {} };
