/**
 * The events that start a training pipeline without an API call. No runtime imports: CDK reads this
 * file to build the EventBridge rule, and the local platform to subscribe its bus the same way.
 */

/** Published by the monitoring capability when drift is confirmed on N consecutive runs. */
export const RETRAINING_REQUESTED = {
  source: 'mlops.monitoring',
  detailType: 'RetrainingRequested',
} as const;

/** The constant input a model's schedule rule hands the pipelines function when it fires. */
export const TRAINING_SCHEDULED = { source: 'mlops.pipelines', detailType: 'TrainingScheduled' } as const;

export const trainingScheduledEvent = (model: string) => ({
  source: TRAINING_SCHEDULED.source,
  'detail-type': TRAINING_SCHEDULED.detailType,
  detail: { model },
});
