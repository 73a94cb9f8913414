/**
 * The local stand-in for `arn:aws:states:::sagemaker:createTrainingJob.sync`: reads the same CSV
 * channels the built-in SageMaker XGBoost algorithm reads (label first, no header), trains the same
 * algorithm in process (ml-xgboost) with the same hyperparameter names and seed, writes the model under
 * the job's output path, and answers in the shape of DescribeTrainingJob.
 */

import { parseSageMakerHyperparameters } from '../../lambdas/pipelines/sagemaker-hyperparameters';
import { keyOfUri, readText } from '../../lambdas/pipelines/tasks/objects';
import { trainXgboost } from '../../lambdas/pipelines/training/xgboost-trainer';
import type { ObjectStore } from '../../lambdas/shared/ports/object-store';

interface TrainingJobRequest {
  readonly TrainingJobName: string;
  readonly AlgorithmSpecification: { readonly TrainingImage: string; readonly TrainingInputMode?: string };
  readonly HyperParameters: Readonly<Record<string, string>>;
  readonly InputDataConfig: readonly {
    readonly ChannelName: string;
    readonly DataSource: { readonly S3DataSource: { readonly S3Uri: string } };
  }[];
  readonly OutputDataConfig: { readonly S3OutputPath: string };
}

/**
 * SageMaker's XGBoost CSV (no header, empty = missing) as a row-major matrix: with the label first
 * (training channels), or features only (a batch transform's input; labels are then all 0).
 */
export const parseChannel = (text: string, labelled = true) => {
  // Only the last line may be empty (the final newline): a row whose one feature is missing is empty too.
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const skip = labelled ? 1 : 0;
  // Every line has the same cells (an empty cell still counts), so the first tells the width.
  const columns = lines.length === 0 ? 0 : lines[0]!.split(',').length - skip;
  const matrix = new Float64Array(lines.length * columns);
  const labels = new Float64Array(lines.length);
  lines.forEach((line, r) => {
    const cells = line.split(',');
    if (labelled) labels[r] = Number(cells[0]);
    for (let c = 0; c < columns; c++) {
      const cell = cells[c + skip] ?? '';
      matrix[r * columns + c] = cell === '' ? Number.NaN : Number(cell);
    }
  });
  return { matrix, labels, rows: lines.length, columns };
};

export const makeLocalTrainingJob =
  (objects: ObjectStore) =>
  async (input: unknown): Promise<unknown> => {
    const request = input as TrainingJobRequest;
    const train = request.InputDataConfig.find((c) => c.ChannelName === 'train');
    if (!train)
      throw Object.assign(new Error('the training job has no train channel'), {
        name: 'ValidationException',
      });
    const channel = parseChannel(
      await readText(objects, keyOfUri(objects, train.DataSource.S3DataSource.S3Uri, 'S3Uri')),
    );
    const hyperparameters = parseSageMakerHyperparameters(request.HyperParameters);
    const { artifact } = await trainXgboost(channel, hyperparameters);
    const outputKey = keyOfUri(objects, request.OutputDataConfig.S3OutputPath, 'S3OutputPath');
    const modelKey = `${outputKey}/${request.TrainingJobName}/output/model.json`;
    await objects.put(modelKey, artifact, { contentType: 'application/json' });
    return {
      TrainingJobName: request.TrainingJobName,
      TrainingJobArn: `arn:aws:sagemaker:local:000000000000:training-job/${request.TrainingJobName.toLowerCase()}`,
      TrainingJobStatus: 'Completed',
      SecondaryStatus: 'Completed',
      AlgorithmSpecification: request.AlgorithmSpecification,
      HyperParameters: request.HyperParameters,
      ModelArtifacts: { S3ModelArtifacts: objects.uriOf(modelKey) },
    };
  };
