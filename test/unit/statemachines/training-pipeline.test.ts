/**
 * The control flow of statemachines/training-pipeline.asl.json, executed by the local runner with
 * recording stand-ins for its tasks: the order of the steps, what each step receives, the gate, the
 * failure path (recorded, notified, the step's own error name and cause), retries on transient errors
 * only. The steps' real code is tested in the e2e pipeline tests.
 */
import { describe, expect, it } from 'vitest';
import {
  LOCAL_PIPELINE_SUBSTITUTIONS,
  TRAINING_PIPELINE_FILE,
} from '../../../local/pipelines/training-pipeline-file';
import { loadStateMachineDefinition } from '../../../local/step-functions/definition';
import { LocalStepFunctions } from '../../../local/step-functions/runner';
import { manualClock } from '../../support/clock';
import { TRAINING_PIPELINE_STEPS } from '../../support/pipeline-steps';

const TASKS = LOCAL_PIPELINE_SUBSTITUTIONS.PipelineTasksFunctionArn;
const TRAIN = 'arn:aws:states:::sagemaker:createTrainingJob.sync';
const CREATE_MODEL = 'arn:aws:states:::sagemaker:createModel';
const TRANSFORM = 'arn:aws:states:::sagemaker:createTransformJob.sync';

const namedError = (name: string, message: string) => Object.assign(new Error(message), { name });

interface Behaviour {
  readonly failAt?: { task: string; error: Error; times?: number };
  readonly gatePassed?: boolean;
}

const run = async (behaviour: Behaviour = {}) => {
  const definition = await loadStateMachineDefinition(TRAINING_PIPELINE_FILE, LOCAL_PIPELINE_SUBSTITUTIONS);
  const calls: { task: string; payload: Record<string, unknown> }[] = [];
  let failures = 0;
  const fail = (task: string) => {
    const at = behaviour.failAt;
    if (at?.task === task && failures < (at.times ?? Number.POSITIVE_INFINITY)) {
      failures++;
      throw at.error;
    }
  };
  const sfn = new LocalStepFunctions({
    clock: manualClock(),
    retryIntervalOverride: 0,
    taskHandlers: {
      [TASKS]: async (input) => {
        const payload = input as Record<string, unknown>;
        const task = String(payload.task);
        calls.push({ task, payload });
        fail(task);
        switch (task) {
          case 'validate-data':
            return { ok: true, rows: 100, checks: [] };
          case 'build-training-set':
            return {
              dataset: { sha256: 'ab'.repeat(32), uri: 'file:///set', rowCount: 100 },
              channels: { train: 'file:///train.csv', validation: 'file:///validation.csv' },
              artifacts: { encoding: 'enc.json', validationRows: 'rows.json', validationFeatures: 'vf.csv' },
              scoringPath: 'scores',
              trainingJobName: 'm-1',
              hyperparameters: { objective: 'binary:logistic', num_round: '10' },
              outputPath: 'file:///model',
            };
          case 'plan-scoring':
            return {
              models: [
                {
                  role: 'challenger',
                  modelName: 'm-1',
                  transformJobName: 'm-1-ch',
                  input: 'file:///vf.csv',
                  outputPath: 'file:///scores/challenger',
                },
                {
                  role: 'champion',
                  modelName: 'm-0',
                  transformJobName: 'm-1-cp',
                  input: 'file:///cf.csv',
                  outputPath: 'file:///scores/champion',
                },
              ],
              championSkipped: null,
            };
          case 'evaluate':
            return {
              metrics: { auc: 0.71 },
              confusionMatrixKey: 'scores/confusion-matrix.json',
              confusionMatrix: [
                [40, 10],
                [9, 41],
              ],
              champion: null,
              gate: { passed: behaviour.gatePassed ?? true, reasons: ['auc 0.71 < min 0.8'] },
              predictionsKey: 'p.json',
              artifactSha256: 'cd'.repeat(32),
            };
          case 'register':
            return { modelVersion: 3, runId: 'run-1' };
          case 'notify-success':
            return { modelVersion: 3 };
          case 'record-failure':
            return { recorded: true };
          default:
            throw new Error(`unexpected task ${task}`);
        }
      },
      [CREATE_MODEL]: async (input) => {
        calls.push({ task: 'create-model', payload: input as Record<string, unknown> });
        fail('create-model');
        return { ModelArn: 'arn:model' };
      },
      [TRANSFORM]: async (input) => {
        calls.push({ task: 'transform', payload: input as Record<string, unknown> });
        fail('transform');
        return { TransformJobStatus: 'Completed' };
      },
      [TRAIN]: async (input) => {
        calls.push({ task: 'train', payload: input as Record<string, unknown> });
        fail('train');
        return {
          TrainingJobName: 'm-1',
          ModelArtifacts: { S3ModelArtifacts: 'file:///model/m-1/output/model.json' },
          AlgorithmSpecification: { TrainingImage: 'local/ml-xgboost:1.1.2' },
        };
      },
    },
  });
  const request = { model: 'm', label: 'y' };
  const started = sfn.start('training-pipeline', definition, { request }, { name: 'exec-1' });
  const result = await started.result;
  return { result, calls, tasks: calls.map((c) => c.task) };
};

describe('training-pipeline.asl.json', () => {
  it('runs validate → build → train → score → evaluate → register → notify, ending with the output of Notify', async () => {
    const { result, tasks, calls } = await run();
    expect(result.status).toBe('SUCCEEDED');
    expect(tasks).toEqual([
      'validate-data',
      'build-training-set',
      'train',
      'create-model',
      'plan-scoring',
      'transform',
      'transform',
      'evaluate',
      'register',
      'notify-success',
    ]);
    expect(result.output).toEqual({ modelVersion: 3 });
    // The top level; the Map's iterations (one Transform per model) are steps with an iteration index.
    expect(result.steps.filter((s) => s.iteration === undefined).map((s) => s.name)).toEqual(
      TRAINING_PIPELINE_STEPS,
    );
    // Every task knows the execution it belongs to (its name is the platform's execution id).
    const lambdaCalls = calls.filter((c) => !['train', 'create-model', 'transform'].includes(c.task));
    for (const call of lambdaCalls) expect(call.payload.executionId).toBe('exec-1');
  });

  it('asks SageMaker for the job BuildTrainingSet prepared: name, hyperparameters, CSV channels, output path', async () => {
    const { calls } = await run();
    const train = calls.find((c) => c.task === 'train')!.payload;
    expect(train).toMatchObject({
      TrainingJobName: 'm-1',
      RoleArn: LOCAL_PIPELINE_SUBSTITUTIONS.SageMakerRoleArn,
      AlgorithmSpecification: {
        TrainingImage: LOCAL_PIPELINE_SUBSTITUTIONS.XgboostImage,
        TrainingInputMode: 'File',
      },
      HyperParameters: { objective: 'binary:logistic', num_round: '10' },
      OutputDataConfig: { S3OutputPath: 'file:///model' },
      EnableNetworkIsolation: true,
    });
    const channels = train.InputDataConfig as {
      ChannelName: string;
      ContentType: string;
      DataSource: { S3DataSource: { S3Uri: string } };
    }[];
    expect(channels.map((c) => [c.ChannelName, c.ContentType, c.DataSource.S3DataSource.S3Uri])).toEqual([
      ['train', 'text/csv', 'file:///train.csv'],
      ['validation', 'text/csv', 'file:///validation.csv'],
    ]);
    // Register receives what the earlier steps produced, not just the request.
    const register = calls.find((c) => c.task === 'register')!.payload;
    expect(register).toMatchObject({
      build: { trainingJobName: 'm-1' },
      train: {
        modelArtifact: 'file:///model/m-1/output/model.json',
        trainingImage: 'local/ml-xgboost:1.1.2',
      },
      evaluation: { metrics: { auc: 0.71 }, artifactSha256: 'cd'.repeat(32) },
    });
  });

  it('scores the held-out rows with each planned model by batch transform, then evaluates both', async () => {
    const { calls } = await run();
    expect(calls.find((c) => c.task === 'create-model')!.payload).toEqual({
      ModelName: 'm-1',
      ExecutionRoleArn: LOCAL_PIPELINE_SUBSTITUTIONS.SageMakerRoleArn,
      PrimaryContainer: {
        Image: LOCAL_PIPELINE_SUBSTITUTIONS.XgboostImage,
        ModelDataUrl: 'file:///model/m-1/output/model.json',
      },
      EnableNetworkIsolation: true,
    });
    const transforms = calls.filter((c) => c.task === 'transform').map((c) => c.payload);
    expect(transforms.map((t) => [t.TransformJobName, t.ModelName])).toEqual([
      ['m-1-ch', 'm-1'],
      ['m-1-cp', 'm-0'],
    ]);
    expect(transforms[0]).toMatchObject({
      TransformInput: {
        ContentType: 'text/csv',
        SplitType: 'Line',
        DataSource: { S3DataSource: { S3Uri: 'file:///vf.csv' } },
      },
      TransformOutput: { S3OutputPath: 'file:///scores/challenger', AssembleWith: 'Line' },
    });
    expect(calls.find((c) => c.task === 'evaluate')!.payload.scoring).toMatchObject({
      models: [{ role: 'challenger' }, { role: 'champion' }],
    });
  });

  it('a gate that is not met records GateNotMet with the metrics as the cause and registers nothing', async () => {
    const { result, tasks, calls } = await run({ gatePassed: false });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('GateNotMet');
    expect(JSON.parse(result.cause!)).toMatchObject({ metrics: { auc: 0.71 }, gate: { passed: false } });
    expect(tasks).not.toContain('register');
    expect(tasks.at(-1)).toBe('record-failure');
    expect(calls.at(-1)!.payload.error).toMatchObject({ Error: 'GateNotMet' });
  });

  it.each([
    ['validate-data', 'DataValidationFailed'],
    ['build-training-set', 'DataValidationFailed'],
    ['train', 'SageMaker.ResourceLimitExceeded'],
    ['create-model', 'SageMaker.ResourceLimitExceeded'],
    ['transform', 'SageMaker.ResourceLimitExceeded'],
    ['evaluate', 'Error'],
    ['register', 'ConflictError'],
  ])('a failure in %s is recorded and ends the execution with its own error (%s)', async (task, name) => {
    const { result, tasks, calls } = await run({ failAt: { task, error: namedError(name, 'the reason') } });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(name);
    expect(result.cause).toContain('the reason');
    expect(tasks.at(-1)).toBe('record-failure');
    expect(calls.at(-1)!.payload.error).toMatchObject({ Error: name });
    // Not retried: only transient errors are (the Map runs one transform per planned model).
    expect(tasks.filter((t) => t === task)).toHaveLength(task === 'transform' ? 2 : 1);
    expect(tasks).not.toContain('notify-success');
  });

  it('a failed notification after registering still ends SUCCEEDED (the version exists)', async () => {
    const { result, tasks } = await run({
      failAt: { task: 'notify-success', error: namedError('Error', 'SNS down') },
    });
    expect(tasks).toContain('register');
    expect(tasks).not.toContain('record-failure');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.steps.at(-1)?.name).toBe('RegisteredWithoutNotice');
  });

  it('retries transient errors with backoff and then carries on', async () => {
    const { result, tasks } = await run({
      failAt: {
        task: 'build-training-set',
        error: namedError('Lambda.TooManyRequestsException', 'slow down'),
        times: 2,
      },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(tasks.filter((t) => t === 'build-training-set')).toHaveLength(3);
  });

  it('gives up on a transient error after three attempts and records it', async () => {
    const { result, tasks } = await run({
      failAt: { task: 'evaluate', error: namedError('TransientError', 'still down') },
    });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('TransientError');
    expect(tasks.filter((t) => t === 'evaluate')).toHaveLength(4);
  });
});
