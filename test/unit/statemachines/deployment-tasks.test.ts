/**
 * statemachines/deployment.asl.json executed by the local runner with SageMaker's control plane stubbed
 * (keyed by the aws-sdk integration ARNs) and the deployments function's task entry real: the execution
 * input is the one the cloud path starts (startDeployment with a rollout), the guards are evaluated on
 * the figures invocations recorded, and the run ends in the stored deployment record, the endpoint's
 * routing, the registry's audit trail and a notification.
 */
import { describe, expect, it } from 'vitest';
import { startDeployment } from '../../../lambdas/deployments/deployments';
import type { DeploymentsDeps } from '../../../lambdas/deployments/deps';
import { makeDeploymentTaskFunction } from '../../../lambdas/deployments/tasks/dispatch';
import { notificationDeps } from '../../../lambdas/platform/notifications';
import { listHistory } from '../../../lambdas/registry/lineage';
import type { WorkflowEngine, WorkflowName } from '../../../lambdas/shared/ports/workflow-engine';
import { loadStateMachineDefinition } from '../../../local/step-functions/definition';
import { LocalStepFunctions } from '../../../local/step-functions/runner';
import {
  type DeploymentsFixture,
  deploymentsFixture,
  flight,
  trainedModels,
} from '../../support/deployments';
import { RecordingPublisher } from '../../support/monitoring';
import { sqliteStores } from '../../support/stores';

const FILE = new URL('../../../statemachines/deployment.asl.json', import.meta.url).pathname;
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:mlops-deployments';
const SUBSTITUTIONS = {
  DeploymentsFunctionArn: FUNCTION_ARN,
  EndpointRoleArn: 'arn:aws:iam::000000000000:role/mlops-endpoints',
  XgboostImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
  CaptureDestinationUri: 's3://artifacts/captures/_endpoints',
  ArtifactKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/local',
};
const PREFIX = 'mlops-test-';
const MODEL = 'delays';

/** A workflow engine that keeps the started executions' inputs (the test runs them itself). */
class CapturingEngine implements WorkflowEngine {
  readonly started: { workflow: WorkflowName; name: string; input: Record<string, unknown> }[] = [];
  async start(workflow: WorkflowName, name: string, input: unknown): Promise<void> {
    this.started.push({ workflow, name, input: input as Record<string, unknown> });
  }
  async describe() {
    return undefined;
  }
}

describe('deployment.asl.json with the deployments task function', () => {
  const fixture = deploymentsFixture(sqliteStores());

  const setUp = async () => {
    const f = fixture();
    const { good } = await trainedModels();
    await f.version(MODEL, good);
    const created = await f.call('POST /endpoints', { body: { name: 'ep', model: MODEL, version: 1 } });
    expect(created.status, JSON.stringify(created.json)).toBe(202);
    const v2 = await f.version(MODEL, good);
    const engine = new CapturingEngine();
    const cloud: DeploymentsDeps = { ...f.deps, rollout: { engine, endpointPrefix: PREFIX } };
    const publisher = new RecordingPublisher();
    const tasks = makeDeploymentTaskFunction({
      deployments: cloud,
      notifications: notificationDeps({ store: f.store, publisher, clock: f.clock }),
      endpointPrefix: PREFIX,
    });
    return { f, v2, engine, cloud, publisher, tasks };
  };

  const traffic = async (f: DeploymentsFixture, n: number) => {
    for (let i = 0; i < n; i++) {
      await f.call('POST /endpoints/{name}/invocations', {
        params: { name: 'ep' },
        body: { features: flight(i) },
      });
    }
  };

  const run = async (
    f: DeploymentsFixture,
    tasks: (payload: unknown) => Promise<unknown>,
    input: Record<string, unknown>,
    options: { autoRollback?: boolean } = {},
  ) => {
    const definition = await loadStateMachineDefinition(FILE, SUBSTITUTIONS);
    const calls: { call: string; input: Record<string, unknown> }[] = [];
    const endpoint = { config: `${PREFIX}ep-old` };
    const sageMaker = (call: string) => async (raw: unknown) => {
      const request = raw as Record<string, unknown>;
      calls.push({ call, input: request });
      if (call === 'updateEndpoint' && !options.autoRollback)
        endpoint.config = String(request.EndpointConfigName);
      if (call === 'describeEndpoint') {
        return {
          EndpointName: request.EndpointName,
          EndpointStatus: 'InService',
          EndpointConfigName: endpoint.config,
        };
      }
      return {};
    };
    const sfn = new LocalStepFunctions({
      clock: f.clock,
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
        ].map((action) => [`arn:aws:states:::aws-sdk:sagemaker:${action}`, sageMaker(action)]),
        [
          FUNCTION_ARN,
          async (payload: unknown) => {
            calls.push({
              call: String((payload as { task: string }).task),
              input: payload as Record<string, unknown>,
            });
            return tasks(payload);
          },
        ],
      ]),
    });
    const result = await sfn.start('deployment', definition, input, { name: String(input.deploymentId) })
      .result;
    const ofCall = (name: string) => calls.filter((c) => c.call === name).map((c) => c.input);
    return { result, ofCall, calls: calls.map((c) => c.call).filter((c) => c !== 'describeEndpoint') };
  };

  const stored = async (f: DeploymentsFixture, id: string) =>
    (await f.call('GET /endpoints/{name}/deployments/{id}', { params: { name: 'ep', id } })).json;
  const routing = async (f: DeploymentsFixture) =>
    (await f.call('GET /endpoints/{name}', { params: { name: 'ep' } })).json.variants.map(
      (v: { name: string; weight: number }) => [v.name, v.weight],
    );
  const audit = async (f: DeploymentsFixture) =>
    (await listHistory(f.registry, MODEL, { limit: 20 })).items
      .filter((e) => e.kind === 'deployment')
      .map((e) => [e.action, e.version]);

  it('starts a canary as an execution whose steps, once every guard holds, promote it in the record', async () => {
    // Prepare
    const { f, v2, engine, cloud, publisher, tasks } = await setUp();
    const { deploymentId } = await startDeployment(
      cloud,
      'ep',
      { version: v2, strategy: 'canary', steps: [50], bakeSeconds: 60, guards: { maxErrorRate: 0.1 } },
      'alice',
    );
    await traffic(f, 20);

    // Act
    const { result, calls, ofCall } = await run(f, tasks, engine.started[0]!.input);

    // Assess
    expect(engine.started.map((s) => [s.workflow, s.name])).toEqual([['deployment', deploymentId]]);
    expect(engine.started[0]!.input).toMatchObject({
      deploymentId,
      endpointName: 'mlops-test-ep',
      endpointExists: true,
      productionVariants: [
        expect.objectContaining({ VariantName: 'v1', InitialVariantWeight: 1 }),
        expect.objectContaining({ VariantName: 'v2', InitialVariantWeight: 0 }),
      ],
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'promoted', endpointName: 'mlops-test-ep' });
    expect(calls).toEqual([
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
    expect(ofCall('updateEndpointWeightsAndCapacities').map((c) => c.DesiredWeightsAndCapacities)).toEqual([
      [
        { VariantName: 'v1', DesiredWeight: 0.5 },
        { VariantName: 'v2', DesiredWeight: 0.5 },
      ],
      [
        { VariantName: 'v1', DesiredWeight: 0 },
        { VariantName: 'v2', DesiredWeight: 1 },
      ],
      [
        { VariantName: 'v1', DesiredWeight: 0 },
        { VariantName: 'v2', DesiredWeight: 1 },
      ],
    ]);
    const done = await stored(f, deploymentId);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      decision: 'promoted',
      strategy: 'canary',
      from: 1,
      version: 2,
    });
    expect(done.phases.map((p: { weights: object }) => p.weights)).toEqual([{ v1: 50, v2: 50 }, { v2: 100 }]);
    expect(done.phases[0].evaluation).toMatchObject({ passed: true, variant: 'v2', errors: 0 });
    expect(done.phases[0].evaluation.requests).toBeGreaterThan(0);
    expect(done.phases.every((p: { endedAt?: string }) => p.endedAt !== undefined)).toBe(true);
    expect(await routing(f)).toEqual([['v2', 100]]);
    expect(await audit(f)).toEqual([
      ['promoted', 2],
      ['started', 2],
      ['promoted', 1],
    ]);
    expect(publisher.types()).toEqual(['deployments.deployment.succeeded']);
  });

  it('rolls back at the step whose guard fails: the stored record names the guard, routing is back on production', async () => {
    // Prepare
    const { f, v2, engine, cloud, publisher, tasks } = await setUp();
    const { deploymentId } = await startDeployment(
      cloud,
      'ep',
      { version: v2, strategy: 'canary', steps: [50], bakeSeconds: 60, guards: { maxErrorRate: 0.05 } },
      'alice',
    );
    f.host.failing.add(v2);
    await traffic(f, 40);

    // Act
    const { result, calls, ofCall } = await run(f, tasks, engine.started[0]!.input);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'rolledBack' });
    expect(calls).toEqual([
      'createModel',
      'createEndpointConfig',
      'updateEndpoint',
      'updateEndpointWeightsAndCapacities',
      'evaluate-step',
      'updateEndpointWeightsAndCapacities',
      'record-deployment',
      'notify-deployment',
    ]);
    expect(ofCall('updateEndpointWeightsAndCapacities').at(-1)?.DesiredWeightsAndCapacities).toEqual([
      { VariantName: 'v1', DesiredWeight: 1 },
      { VariantName: 'v2', DesiredWeight: 0 },
    ]);
    const done = await stored(f, deploymentId);
    expect(done).toMatchObject({ status: 'ROLLED_BACK', decision: 'rolled back' });
    expect(done.reason).toMatch(/^guard maxErrorRate failed on variant v2: observed 1 > limit 0.05/);
    expect(done.phases).toHaveLength(1);
    expect(done.phases[0].evaluation).toMatchObject({ passed: false, variant: 'v2' });
    expect(await routing(f)).toEqual([['v1', 100]]);
    expect(await audit(f)).toEqual([
      ['rolled-back', 1],
      ['started', 2],
      ['promoted', 1],
    ]);
    expect(publisher.types()).toEqual(['deployments.deployment.rolled-back']);
  });

  it('rolls back a step whose guards saw no traffic of the new version: never promoted blind', async () => {
    // Prepare
    const { f, v2, engine, cloud, tasks } = await setUp();
    const { deploymentId } = await startDeployment(
      cloud,
      'ep',
      { version: v2, strategy: 'canary', steps: [50], bakeSeconds: 60, guards: { maxErrorRate: 0.1 } },
      'alice',
    );

    // Act: no request reaches the endpoint during the bake
    const { result } = await run(f, tasks, engine.started[0]!.input);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'rolledBack' });
    const done = await stored(f, deploymentId);
    expect(done).toMatchObject({ status: 'ROLLED_BACK', reason: 'no traffic reached the new version' });
    expect(await routing(f)).toEqual([['v1', 100]]);
  });

  it('records a rollout SageMaker itself rolled back as FAILED with the cause, routing back on production', async () => {
    // Prepare
    const { f, v2, engine, cloud, publisher, tasks } = await setUp();
    const { deploymentId } = await startDeployment(
      cloud,
      'ep',
      { version: v2, strategy: 'canary', steps: [50], bakeSeconds: 60, guards: { maxErrorRate: 0.05 } },
      'alice',
    );

    // Act
    const { result } = await run(f, tasks, engine.started[0]!.input, { autoRollback: true });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('EndpointConfigMismatch');
    const done = await stored(f, deploymentId);
    expect(done).toMatchObject({ status: 'FAILED', decision: 'failed' });
    expect(done.reason).toMatch(
      /^EndpointConfigMismatch in phase deployed: endpoint mlops-test-ep is InService on config mlops-test-ep-old/,
    );
    expect(await routing(f)).toEqual([['v1', 100]]);
    expect(publisher.types()).toEqual(['deployments.deployment.failed']);
  });
});
