import type { ExperimentsDeps } from '../../experiments/context';
import type { FeaturesDeps } from '../../features/deps';
import type { TrainingSetDeps } from '../../features/training-sets/training-sets';
import type { NotificationDeps } from '../../platform/notifications';
import type { RegistryDeps } from '../../registry/deps';
import type { Clock } from '../../shared/ports/clock';
import type { MetadataStore } from '../../shared/ports/metadata-store';
import type { ObjectStore } from '../../shared/ports/object-store';

/** What the training pipeline's task function works with: the other capabilities' cores, in process. */
export interface PipelineTaskDeps {
  readonly store: MetadataStore;
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly features: FeaturesDeps;
  readonly trainingSets: TrainingSetDeps;
  readonly registry: RegistryDeps;
  readonly experiments: ExperimentsDeps;
  readonly notifications: NotificationDeps;
  /** The deployed code's version, recorded in each registered version's lineage. */
  readonly code: { readonly gitSha?: string; readonly image?: string };
}

/** The actor the registry and experiment tracking record for what a pipeline does. */
export const PIPELINE_ACTOR = 'training-pipeline';

/** A failure the state machine matches by name (Catch/Retry `ErrorEquals`). */
export class PipelineStepError extends Error {
  constructor(name: 'DataValidationFailed', message: string) {
    super(message);
    this.name = name;
  }
}
