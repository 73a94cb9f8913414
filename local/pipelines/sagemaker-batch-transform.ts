/**
 * Local stand-ins for `sagemaker:createModel` and `sagemaker:createTransformJob.sync`: a model is a
 * name for an artifact (kept under `local-sagemaker/models/`), and a transform job scores a features
 * CSV (no header, empty = missing) with it in process, writing one prediction per line to
 * `{S3OutputPath}/{input file name}.out` — where SageMaker's batch transform writes it.
 */

import { transformOutputKey } from '../../lambdas/pipelines/tasks/channels';
import { keyOfUri, readObject, readText } from '../../lambdas/pipelines/tasks/objects';
import { loadModel } from '../../lambdas/pipelines/training/xgboost-trainer';
import type { ObjectStore } from '../../lambdas/shared/ports/object-store';
import { parseChannel } from './sagemaker-training-job';

const modelKey = (name: string) => `local-sagemaker/models/${name}.json`;

const sageMakerError = (message: string) =>
  Object.assign(new Error(message), { name: 'SageMaker.AmazonSageMakerException' });

interface CreateModelRequest {
  readonly ModelName: string;
  readonly PrimaryContainer: { readonly Image: string; readonly ModelDataUrl: string };
}

interface TransformJobRequest {
  readonly TransformJobName: string;
  readonly ModelName: string;
  readonly TransformInput: { readonly DataSource: { readonly S3DataSource: { readonly S3Uri: string } } };
  readonly TransformOutput: { readonly S3OutputPath: string };
}

export const makeLocalCreateModel =
  (objects: ObjectStore) =>
  async (input: unknown): Promise<unknown> => {
    const request = input as CreateModelRequest;
    if (await objects.head(modelKey(request.ModelName))) {
      // As SageMaker: a model name is used once.
      throw sageMakerError(`Cannot create already existing model "${request.ModelName}"`);
    }
    await objects.put(modelKey(request.ModelName), JSON.stringify(request.PrimaryContainer), {
      contentType: 'application/json',
    });
    return { ModelArn: `arn:aws:sagemaker:local:000000000000:model/${request.ModelName.toLowerCase()}` };
  };

export const makeLocalTransformJob =
  (objects: ObjectStore) =>
  async (input: unknown): Promise<unknown> => {
    const request = input as TransformJobRequest;
    const container = await objects.get(modelKey(request.ModelName));
    if (!container) throw sageMakerError(`Could not find model "${request.ModelName}"`);
    const { ModelDataUrl } = JSON.parse(new TextDecoder().decode(container.body)) as { ModelDataUrl: string };
    const inputKey = keyOfUri(objects, request.TransformInput.DataSource.S3DataSource.S3Uri, 'S3Uri');
    const features = parseChannel(await readText(objects, inputKey), false);
    const model = await loadModel(await readObject(objects, keyOfUri(objects, ModelDataUrl, 'ModelDataUrl')));
    let predictions: Float64Array;
    try {
      predictions = model.predict(features.matrix, features.rows, features.columns);
    } finally {
      model.free();
    }
    const perRow = model.outputsPerRow;
    const lines: string[] = [];
    for (let r = 0; r < features.rows; r++) {
      lines.push(Array.from(predictions.subarray(r * perRow, (r + 1) * perRow)).join(','));
    }
    const outputKey = keyOfUri(objects, request.TransformOutput.S3OutputPath, 'S3OutputPath');
    await objects.put(transformOutputKey(outputKey, inputKey), `${lines.join('\n')}\n`, {
      contentType: 'text/csv',
    });
    return {
      TransformJobName: request.TransformJobName,
      TransformJobStatus: 'Completed',
      ModelName: request.ModelName,
      TransformOutput: request.TransformOutput,
    };
  };
