/** The training pipeline's ASL file and what its placeholders mean on a laptop. */
import { fileURLToPath } from 'node:url';

export const LOCAL_XGBOOST_IMAGE = 'local/ml-xgboost:1.1.2';
export const TRAINING_JOB_RESOURCE = 'arn:aws:states:::sagemaker:createTrainingJob.sync';
export const CREATE_MODEL_RESOURCE = 'arn:aws:states:::sagemaker:createModel';
export const TRANSFORM_JOB_RESOURCE = 'arn:aws:states:::sagemaker:createTransformJob.sync';

export const TRAINING_PIPELINE_FILE = fileURLToPath(
  new URL('../../statemachines/training-pipeline.asl.json', import.meta.url),
);

/** What CDK substitutes in the cloud, with the values that mean the same on a laptop. */
export const LOCAL_PIPELINE_SUBSTITUTIONS = {
  PipelineTasksFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:mlops-pipeline-tasks',
  SageMakerRoleArn: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
  XgboostImage: LOCAL_XGBOOST_IMAGE,
  ArtifactKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/local',
  TrainingInstanceType: 'local',
} as const;
