/**
 * The training pipeline's top-level steps in order when an execution succeeds (statemachines/
 * training-pipeline.asl.json). A module of its own so a unit test can import it without starting anything.
 */
export const TRAINING_PIPELINE_STEPS = [
  'ValidateData',
  'BuildTrainingSet',
  'Train',
  'CreateModel',
  'PlanScoring',
  'ScoreHeldOut',
  'Evaluate',
  'Gate',
  'Register',
  'Notify',
] as const;
