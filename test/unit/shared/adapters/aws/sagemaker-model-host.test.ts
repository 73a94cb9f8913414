import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  PredictionFormatError,
  parseCsvPredictions,
  parseJsonPredictions,
  rowsToCsv,
  SageMakerModelHost,
} from '../../../../../lambdas/shared/adapters/aws/sagemaker-model-host';
import type { EncodedRows, HostedModel, HostedVariant } from '../../../../../lambdas/shared/ports/model-host';

const VARIANT: HostedVariant = {
  name: 'canary',
  model: 'flights-delay',
  version: 3,
  artifactUri: 's3://bucket/pipelines/executions/e-1/model/m-3/output/model.tar.gz',
  artifactSha256: 'ab'.repeat(32),
};

const binary: HostedModel = {
  features: [
    { name: 'distance', type: 'float' },
    { name: 'origin', type: 'string', categories: ['SEA', 'SFO'] },
    { name: 'hour', type: 'int' },
  ],
  columns: 3,
  objective: 'binary:logistic',
  outputsPerRow: 1,
};

const rowsOf = (values: number[][]): EncodedRows => ({
  matrix: Float32Array.from(values.flat()),
  rows: values.length,
  columns: values[0]?.length ?? 0,
});

const body = (text: string) => new TextEncoder().encode(text) as never;

describe('SageMakerModelHost', () => {
  const runtime = mockClient(SageMakerRuntimeClient);
  const described: HostedVariant[] = [];
  let model: HostedModel = binary;
  const host = (options: { accept?: 'text/csv' | 'application/json'; endpointPrefix?: string } = {}) =>
    new SageMakerModelHost({
      models: {
        describe: async (variant) => {
          described.push(variant);
          return model;
        },
      },
      client: new SageMakerRuntimeClient({ region: 'eu-west-1' }),
      ...options,
    });
  const sent = () => runtime.commandCalls(InvokeEndpointCommand).map((call) => call.args[0].input);

  beforeEach(() => {
    runtime.reset();
    described.length = 0;
    model = binary;
  });

  it('invokes the prefixed endpoint on the target variant with CSV rows in column order, no header', async () => {
    // Prepare
    runtime.on(InvokeEndpointCommand).resolves({
      Body: body('0.25\n0.75\n'),
      ContentType: 'text/csv; charset=utf-8',
      InvokedProductionVariant: 'canary',
    });

    // Act
    const scores = await host({ endpointPrefix: 'mlops-prod-' }).invoke(
      'delays',
      VARIANT,
      rowsOf([
        [1200.5, 1, 7],
        [300, 0, 23],
      ]),
      { inferenceId: '01JEXAMPLE' },
    );

    // Assess
    expect([...scores]).toEqual([0.25, 0.75]);
    expect(sent()).toHaveLength(1);
    const input = sent()[0]!;
    expect(input).toMatchObject({
      EndpointName: 'mlops-prod-delays',
      TargetVariant: 'canary',
      ContentType: 'text/csv',
      Accept: 'text/csv',
      InferenceId: '01JEXAMPLE',
    });
    expect(new TextDecoder().decode(input.Body as Uint8Array)).toBe('1200.5,1,7\n300,0,23\n');
  });

  it('sends a missing value as an empty field and no inference id when none is given', async () => {
    // Prepare
    runtime.on(InvokeEndpointCommand).resolves({ Body: body('0.5'), ContentType: 'text/csv' });

    // Act
    await host().invoke('delays', VARIANT, rowsOf([[Number.NaN, 0, 4]]));

    // Assess
    const input = sent()[0]!;
    expect(input.EndpointName).toBe('delays');
    expect(input.InferenceId).toBeUndefined();
    expect(new TextDecoder().decode(input.Body as Uint8Array)).toBe(',0,4\n');
  });

  it('reads JSON predictions ({"predictions":[{"score":p}]}) when it accepts JSON', async () => {
    // Prepare
    runtime.on(InvokeEndpointCommand).resolves({
      Body: body('{"predictions":[{"score":0.1},{"score":0.9}]}'),
      ContentType: 'application/json',
    });

    // Act
    const scores = await host({ accept: 'application/json' }).invoke(
      'delays',
      VARIANT,
      rowsOf([
        [1, 0, 1],
        [2, 1, 2],
      ]),
    );

    // Assess
    expect([...scores]).toEqual([0.1, 0.9]);
    expect(sent()[0]?.Accept).toBe('application/json');
  });

  it('reads several outputs per row (multi:softprob) from CSV lines', async () => {
    // Prepare
    model = { ...binary, objective: 'multi:softprob', outputsPerRow: 3 };
    runtime.on(InvokeEndpointCommand).resolves({ Body: body('0.2,0.3,0.5\n0.6,0.3,0.1\n') });

    // Act
    const scores = await host().invoke(
      'delays',
      VARIANT,
      rowsOf([
        [1, 0, 1],
        [2, 1, 2],
      ]),
    );

    // Assess
    expect([...scores]).toEqual([0.2, 0.3, 0.5, 0.6, 0.3, 0.1]);
  });

  it('refuses an answer with the wrong number of predictions or from another variant', async () => {
    // Prepare
    runtime
      .on(InvokeEndpointCommand)
      .resolvesOnce({ Body: body('0.5\n') })
      .resolvesOnce({ Body: body('0.5\n0.5\n'), InvokedProductionVariant: 'production' });
    const rows = rowsOf([
      [1, 0, 1],
      [2, 1, 2],
    ]);

    // Act
    const tooFew = host().invoke('delays', VARIANT, rows);
    const otherVariant = host().invoke('delays', VARIANT, rows);

    // Assess
    await expect(tooFew).rejects.toThrow(/expected 2 row\(s\) × 1 output\(s\) = 2 values, got 1/);
    await expect(otherVariant).rejects.toThrow(/variant production, not the targeted canary/);
  });

  it('lets SageMaker errors through with their name (the core counts them as the variant failing)', async () => {
    // Prepare
    runtime
      .on(InvokeEndpointCommand)
      .rejects(Object.assign(new Error('Endpoint mlops-prod-x not found'), { name: 'ValidationError' }));

    // Act
    const invoked = host().invoke('x', VARIANT, rowsOf([[1, 0, 1]]));

    // Assess
    await expect(invoked).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('describes a version through the given models, without calling SageMaker', async () => {
    // Act
    const described_ = await host().describe(VARIANT);

    // Assess
    expect(described_).toBe(binary);
    expect(described).toEqual([VARIANT]);
    expect(sent()).toEqual([]);
  });
});

describe('prediction codecs', () => {
  it('writes float32 values exactly as they round-trip', () => {
    expect(rowsToCsv(rowsOf([[0.5, -2, 1e-7]]))).toBe(`0.5,-2,${Math.fround(1e-7)}\n`);
  });

  it('reads CSV values on one line as well as one per line', () => {
    expect([...parseCsvPredictions('0.1,0.2,0.3', 3, 1)]).toEqual([0.1, 0.2, 0.3]);
  });

  it('names the field that is not a number', () => {
    expect(() => parseCsvPredictions('0.1\nnope\n', 2, 1)).toThrow(PredictionFormatError);
    expect(() => parseCsvPredictions('0.1\nnope\n', 2, 1)).toThrow(/line 2, field 1/);
  });

  it('reads bare JSON arrays and score arrays, and refuses a document without predictions', () => {
    expect([...parseJsonPredictions('[0.4, 0.6]', 2, 1)]).toEqual([0.4, 0.6]);
    expect([...parseJsonPredictions('{"predictions":[{"score":[0.4,0.6]}]}', 1, 2)]).toEqual([0.4, 0.6]);
    expect(() => parseJsonPredictions('{"scores":[]}', 1, 1)).toThrow(/no predictions array/);
    expect(() => parseJsonPredictions('<html>', 1, 1)).toThrow(/not JSON/);
  });
});
