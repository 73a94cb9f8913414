import { describe, expect, it } from 'vitest';
import type { DeploymentRecord, EndpointRecord, VariantRecord } from '../../../lambdas/deployments/records';
import { rolloutInput } from '../../../lambdas/deployments/rollout';

const AT = '2026-11-28T10:00:00.000Z';
const variant = (
  version: number,
  weight: number,
  role: 'production' | 'shadow' = 'production',
): VariantRecord => ({
  name: `v${version}`,
  model: 'delays',
  version,
  weight,
  role,
  artifactUri: `s3://artifacts/pipelines/executions/e-${version}/model/j/output/model.tar.gz`,
  artifactSha256: 'ab'.repeat(32),
});
const endpoint = (variants: VariantRecord[]): EndpointRecord => ({
  name: 'ep',
  model: 'delays',
  variants,
  previousVersions: [],
  capture: { percent: 20 },
  config: { instanceType: 'ml.c5.large', instanceCount: 2 },
  history: [
    {
      at: AT,
      actor: 'alice',
      action: 'created',
      version: 1,
      from: null,
      deploymentId: '01KB000000000000000000OLD1',
    },
  ],
  createdAt: AT,
  createdBy: 'alice',
  updatedAt: AT,
});
const deployment = (strategy: DeploymentRecord['strategy'], steps: number[]): DeploymentRecord => ({
  id: '01KB000000000000000000NEW2',
  endpoint: 'ep',
  model: 'delays',
  version: 2,
  variant: 'v2',
  from: 1,
  strategy,
  steps,
  bakeSeconds: 300,
  guards: { maxErrorRate: 0.05 },
  status: 'IN_PROGRESS',
  phases: [{ weights: {}, startedAt: AT }],
  createdAt: AT,
  createdBy: 'alice',
  updatedAt: AT,
});
const settings = { endpointPrefix: 'mlops-test-' };

describe('rolloutInput', () => {
  it('builds a canary: both versions on the config, one step per phase, the old model named by the deployment that created it', () => {
    const input = rolloutInput(
      settings,
      endpoint([variant(1, 90), variant(2, 10)]),
      deployment('canary', [10, 100]),
      {
        endpointExists: true,
        old: variant(1, 90),
      },
    );

    expect(input).toMatchObject({
      endpointName: 'mlops-test-ep',
      endpointConfigName: 'mlops-test-ep-00000000new2',
      endpointExists: true,
      capturePercent: 20,
      model: { modelName: 'mlops-test-delays-v2-00000000new2', modelDataUrl: variant(2, 0).artifactUri },
      productionVariants: [
        {
          VariantName: 'v1',
          ModelName: 'mlops-test-delays-v1-00000000old1',
          InstanceType: 'ml.c5.large',
          InitialInstanceCount: 2,
          InitialVariantWeight: 1,
        },
        { VariantName: 'v2', ModelName: 'mlops-test-delays-v2-00000000new2', InitialVariantWeight: 0 },
      ],
      promoteWeights: [
        { VariantName: 'v1', DesiredWeight: 0 },
        { VariantName: 'v2', DesiredWeight: 1 },
      ],
      rollbackWeights: [
        { VariantName: 'v1', DesiredWeight: 1 },
        { VariantName: 'v2', DesiredWeight: 0 },
      ],
    });
    expect(input.steps.map((s) => [s.weights.map((w) => w.DesiredWeight), s.bakeSeconds])).toEqual([
      [[0.9, 0.1], 300],
      [[0, 1], 300],
    ]);
    expect(input).not.toHaveProperty('shadowVariants');
  });

  it('puts a shadow beside the one production variant and never moves production weight', () => {
    const input = rolloutInput(
      settings,
      endpoint([variant(1, 100), variant(2, 0, 'shadow')]),
      deployment('shadow', [25]),
      {
        endpointExists: true,
        old: variant(1, 100),
      },
    );

    expect(input.productionVariants.map((v) => v.VariantName)).toEqual(['v1']);
    expect(input.shadowVariants).toEqual([expect.objectContaining({ VariantName: 'v2' })]);
    expect(input.steps.map((s) => s.weights)).toEqual([[{ VariantName: 'v1', DesiredWeight: 1 }]]);
    expect(input.promoteWeights).toEqual([{ VariantName: 'v1', DesiredWeight: 1 }]);
  });

  it('creates a new endpoint all at once (no steps) and keeps SageMaker names within 63 characters', () => {
    const long = { ...endpoint([variant(1, 100)]), name: 'e'.repeat(60) };
    const input = rolloutInput(
      settings,
      long,
      { ...deployment('all-at-once', [100]), variant: 'v1', version: 1, from: null },
      {
        endpointExists: false,
      },
    );

    expect(input.steps).toEqual([]);
    expect(input.productionVariants).toEqual([
      expect.objectContaining({ VariantName: 'v1', InitialVariantWeight: 1 }),
    ]);
    expect(input.endpointConfigName.length).toBeLessThanOrEqual(63);
    expect(input.model.modelName.length).toBeLessThanOrEqual(63);
  });
});
