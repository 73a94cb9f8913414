/**
 * The control flow of statemachines/deployment.asl.json, executed by the local runner with a recording
 * stand-in for SageMaker's control plane (keyed by the same aws-sdk integration ARNs, fed the same
 * request shapes) and for the deployments function's tasks: create → wait until the intended config is
 * InService → per step shift weights, bake, evaluate → promote or roll back → record → notify; and the
 * failure that matters most: an update SageMaker rolled back (InService on the OLD config) never
 * records success.
 */
import { describe, expect, it } from 'vitest';
import { loadStateMachineDefinition } from '../../../local/step-functions/definition';
import { LocalStepFunctions } from '../../../local/step-functions/runner';
import { manualClock } from '../../support/clock';

const FILE = new URL('../../../statemachines/deployment.asl.json', import.meta.url).pathname;
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:mlops-deployments';
const SUBSTITUTIONS = {
  DeploymentsFunctionArn: FUNCTION_ARN,
  EndpointRoleArn: 'arn:aws:iam::000000000000:role/mlops-endpoints',
  XgboostImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
  CaptureDestinationUri: 's3://artifacts/captures/_endpoints',
  ArtifactKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/local',
};
const sdk = (action: string) => `arn:aws:states:::aws-sdk:sagemaker:${action}`;

type Decision = 'continue' | 'promote' | 'rollback';

interface Behaviour {
  /** Evaluate's answer per step index (default: continue). */
  readonly decisions?: readonly Decision[];
  /** DescribeEndpoint calls answering Updating/Creating before InService after each change. */
  readonly pollsUntilReady?: number;
  /** After UpdateEndpoint, SageMaker rolls back by itself: InService again on the old config. */
  readonly autoRollback?: boolean;
  /** The endpoint is new (CreateEndpoint) instead of updated. */
  readonly newEndpoint?: boolean;
}

const canaryInput = (overrides: Record<string, unknown> = {}) => ({
  deploymentId: 'd-7',
  endpointName: 'mlops-test-delays',
  endpointConfigName: 'mlops-test-delays-d-7',
  endpointExists: true,
  model: {
    modelName: 'mlops-test-delays-v4-d-7',
    modelDataUrl: 's3://artifacts/pipelines/executions/e-4/model/j-4/output/model.tar.gz',
  },
  productionVariants: [
    {
      VariantName: 'v3',
      ModelName: 'mlops-test-delays-v3-d-6',
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: 1,
      InitialVariantWeight: 1,
    },
    {
      VariantName: 'v4',
      ModelName: 'mlops-test-delays-v4-d-7',
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: 1,
      InitialVariantWeight: 0,
    },
  ],
  capturePercent: 100,
  steps: [
    {
      weights: [
        { VariantName: 'v3', DesiredWeight: 0.9 },
        { VariantName: 'v4', DesiredWeight: 0.1 },
      ],
      bakeSeconds: 600,
    },
    {
      weights: [
        { VariantName: 'v3', DesiredWeight: 0.5 },
        { VariantName: 'v4', DesiredWeight: 0.5 },
      ],
      bakeSeconds: 600,
    },
  ],
  promoteWeights: [
    { VariantName: 'v3', DesiredWeight: 0 },
    { VariantName: 'v4', DesiredWeight: 1 },
  ],
  rollbackWeights: [
    { VariantName: 'v3', DesiredWeight: 1 },
    { VariantName: 'v4', DesiredWeight: 0 },
  ],
  ...overrides,
});

const run = async (input: Record<string, unknown>, behaviour: Behaviour = {}) => {
  const definition = await loadStateMachineDefinition(FILE, SUBSTITUTIONS);
  const calls: { call: string; input: Record<string, unknown> }[] = [];
  const endpoint = {
    status: behaviour.newEndpoint ? 'Absent' : 'InService',
    config: behaviour.newEndpoint ? '' : 'mlops-test-delays-d-6',
    pending: 0,
  };
  const changed = (status: string) => {
    endpoint.status = status;
    endpoint.pending = behaviour.pollsUntilReady ?? 1;
  };
  const record = (call: string) => async (raw: unknown) => {
    const request = raw as Record<string, unknown>;
    calls.push({ call, input: request });
    switch (call) {
      case 'createEndpoint':
        endpoint.config = String(request.EndpointConfigName);
        changed('Creating');
        return { EndpointArn: 'arn:endpoint' };
      case 'updateEndpoint':
        if (!behaviour.autoRollback) endpoint.config = String(request.EndpointConfigName);
        changed('Updating');
        return { EndpointArn: 'arn:endpoint' };
      case 'updateEndpointWeightsAndCapacities':
        changed('Updating');
        return { EndpointArn: 'arn:endpoint' };
      case 'describeEndpoint':
        if (endpoint.pending > 0) endpoint.pending--;
        else endpoint.status = 'InService';
        return {
          EndpointName: request.EndpointName,
          EndpointStatus: endpoint.status,
          EndpointConfigName: endpoint.config,
        };
      default:
        return {};
    }
  };
  const sfn = new LocalStepFunctions({
    clock: manualClock(),
    retryIntervalOverride: 0,
    waitTimeOverrides: { WaitForEndpoint: 0, Bake: 0 },
    taskHandlers: Object.fromEntries([
      ...[
        'createModel',
        'createEndpointConfig',
        'createEndpoint',
        'updateEndpoint',
        'describeEndpoint',
        'updateEndpointWeightsAndCapacities',
      ].map((action) => [sdk(action), record(action)]),
      [
        FUNCTION_ARN,
        async (raw: unknown) => {
          const payload = raw as Record<string, unknown>;
          const task = String(payload.task);
          calls.push({ call: task, input: payload });
          if (task === 'evaluate-step') {
            const decision = behaviour.decisions?.[Number(payload.stepIndex)] ?? 'continue';
            return { decision, reason: decision === 'rollback' ? 'v4 error rate 0.2 > 0.05' : 'guards held' };
          }
          return { recorded: true };
        },
      ],
    ]),
  });
  const result = await sfn.start('deployment', definition, input, { name: 'exec-1' }).result;
  const calledNames = calls.map((c) => c.call);
  const ofCall = (name: string) => calls.filter((c) => c.call === name).map((c) => c.input);
  return { result, calls: calledNames, ofCall };
};

/** The calls without the polling noise, to read the order of what changed. */
const changes = (calls: readonly string[]) => calls.filter((c) => c !== 'describeEndpoint');

describe('deployment.asl.json', () => {
  it('rolls a canary out step by step and promotes it when every guard holds', async () => {
    // Act
    const { result, calls, ofCall } = await run(canaryInput(), { pollsUntilReady: 2 });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({
      deploymentId: 'd-7',
      outcome: 'promoted',
      endpointName: 'mlops-test-delays',
      endpointConfigName: 'mlops-test-delays-d-7',
    });
    expect(changes(calls)).toEqual([
      'createModel',
      'createEndpointConfig',
      'updateEndpoint',
      'updateEndpointWeightsAndCapacities',
      'evaluate-step',
      'updateEndpointWeightsAndCapacities',
      'evaluate-step',
      'updateEndpointWeightsAndCapacities',
      'record-deployment',
      'notify-deployment',
    ]);
    // Polled until InService after each of the 4 changes (2 Updating answers, then InService).
    expect(calls.filter((c) => c === 'describeEndpoint')).toHaveLength(4 * 3);
    expect(ofCall('updateEndpointWeightsAndCapacities').map((w) => w.DesiredWeightsAndCapacities)).toEqual([
      canaryInput().steps[0]?.weights,
      canaryInput().steps[1]?.weights,
      canaryInput().promoteWeights,
    ]);
    expect(ofCall('evaluate-step').map((e) => e.stepIndex)).toEqual([0, 1]);
    expect(ofCall('record-deployment')[0]).toMatchObject({ outcome: 'promoted', deploymentId: 'd-7' });
  });

  it('creates the model with the XGBoost image and the endpoint role, and captures to the artifact bucket', async () => {
    // Act
    const { ofCall } = await run(canaryInput());

    // Assess
    expect(ofCall('createModel')).toEqual([
      {
        ModelName: 'mlops-test-delays-v4-d-7',
        ExecutionRoleArn: SUBSTITUTIONS.EndpointRoleArn,
        PrimaryContainer: {
          Image: SUBSTITUTIONS.XgboostImage,
          ModelDataUrl: canaryInput().model.modelDataUrl,
        },
        EnableNetworkIsolation: true,
        Tags: [{ Key: 'mlops:deployment', Value: 'd-7' }],
      },
    ]);
    const config = ofCall('createEndpointConfig')[0];
    expect(config).toMatchObject({
      EndpointConfigName: 'mlops-test-delays-d-7',
      ProductionVariants: canaryInput().productionVariants,
      KmsKeyId: SUBSTITUTIONS.ArtifactKeyArn,
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: SUBSTITUTIONS.CaptureDestinationUri,
      },
    });
    expect(config).not.toHaveProperty('ShadowProductionVariants');
    expect(ofCall('updateEndpoint')).toEqual([
      { EndpointName: 'mlops-test-delays', EndpointConfigName: 'mlops-test-delays-d-7' },
    ]);
  });

  it('rolls back when a guard fails at a step, records why, and ends SUCCEEDED with outcome rolledBack', async () => {
    // Act
    const { result, calls, ofCall } = await run(canaryInput(), { decisions: ['rollback'] });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'rolledBack' });
    expect(changes(calls)).toEqual([
      'createModel',
      'createEndpointConfig',
      'updateEndpoint',
      'updateEndpointWeightsAndCapacities',
      'evaluate-step',
      'updateEndpointWeightsAndCapacities',
      'record-deployment',
      'notify-deployment',
    ]);
    expect(ofCall('updateEndpointWeightsAndCapacities').at(-1)?.DesiredWeightsAndCapacities).toEqual(
      canaryInput().rollbackWeights,
    );
    const recorded = ofCall('record-deployment')[0] as {
      outcome: string;
      deployment: { evaluation: unknown };
    };
    expect(recorded.outcome).toBe('rolledBack');
    expect(recorded.deployment.evaluation).toEqual({
      decision: 'rollback',
      reason: 'v4 error rate 0.2 > 0.05',
    });
  });

  it('fails, never records success, when DescribeEndpoint shows the old config InService after the update', async () => {
    // Act
    const { result, calls, ofCall } = await run(canaryInput(), { autoRollback: true });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('EndpointConfigMismatch');
    expect(result.cause).toBe(
      'endpoint mlops-test-delays is InService on config mlops-test-delays-d-6, not the intended mlops-test-delays-d-7',
    );
    expect(calls).not.toContain('record-deployment');
    expect(calls).not.toContain('updateEndpointWeightsAndCapacities');
    expect(ofCall('record-deployment-failure')).toEqual([
      expect.objectContaining({
        phase: 'deployed',
        error: { Error: 'EndpointConfigMismatch', Cause: result.cause },
      }),
    ]);
  });

  it('creates a new endpoint all at once (no steps) and adds the shadow variant when one is given', async () => {
    // Prepare
    const shadow = [
      { VariantName: 'shadow-v4', ModelName: 'm-v4', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 },
    ];
    const input = canaryInput({
      endpointExists: false,
      steps: [],
      productionVariants: [canaryInput().productionVariants[0]],
      shadowVariants: shadow,
    });

    // Act
    const { result, calls, ofCall } = await run(input, { newEndpoint: true });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'promoted' });
    expect(changes(calls)).toEqual([
      'createModel',
      'createEndpointConfig',
      'createEndpoint',
      'record-deployment',
      'notify-deployment',
    ]);
    expect(ofCall('createEndpointConfig')[0]?.ShadowProductionVariants).toEqual(shadow);
  });

  it('rolls back on an evaluation answer it does not know (only continue and promote go forward)', async () => {
    // Act
    const { result, ofCall } = await run(canaryInput(), { decisions: ['continue', 'maybe' as Decision] });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'rolledBack' });
    expect(ofCall('evaluate-step')).toHaveLength(2);
  });
});
