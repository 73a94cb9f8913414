/**
 * What reaches the pipelines function from EventBridge (cloud path): a model's schedule firing and a
 * monitor's RetrainingRequested both start the model's last successful request again; other events
 * start nothing.
 */
import { describe, expect, it } from 'vitest';
import { closeExecution, startTrainingExecution } from '../../../lambdas/pipelines/executions';
import { trainingScheduledEvent } from '../../../lambdas/pipelines/trigger-events';
import { handleTriggerEvent, NothingToRetrainError } from '../../../lambdas/pipelines/triggers';
import { pipelinesFixtures, request } from '../../support/pipelines';

const setUp = pipelinesFixtures();

describe('training triggers', () => {
  it("a schedule firing starts the model's newest successful request again, as trigger schedule", async () => {
    const { deps, started, clock } = setUp();
    const failed = await startTrainingExecution(deps, { ...request, label: 'old' }, 'alice');
    await closeExecution(deps, failed.executionId, { status: 'SUCCEEDED' });
    clock.advance(1000);
    const newer = await startTrainingExecution(deps, request, 'alice');
    await closeExecution(deps, newer.executionId, { status: 'SUCCEEDED' });
    clock.advance(1000);
    const broken = await startTrainingExecution(deps, { ...request, label: 'broken' }, 'alice');
    await closeExecution(deps, broken.executionId, { status: 'FAILED', error: 'GateNotMet' });

    const record = await handleTriggerEvent(deps, trainingScheduledEvent('churn'));
    expect(record).toMatchObject({ trigger: 'schedule', startedBy: 'schedule', model: 'churn' });
    expect(record!.request).toEqual(newer.request);
    expect(started.at(-1)).toEqual({ name: record!.executionId, input: { request: newer.request } });
  });

  it('RetrainingRequested names the monitor as the one who started it', async () => {
    const { deps } = setUp();
    const first = await startTrainingExecution(deps, request, 'alice');
    await closeExecution(deps, first.executionId, { status: 'SUCCEEDED' });
    const record = await handleTriggerEvent(deps, {
      source: 'mlops.monitoring',
      'detail-type': 'RetrainingRequested',
      detail: { model: 'churn', monitor: 'churn-daily' },
    });
    expect(record).toMatchObject({ trigger: 'event', startedBy: 'monitor:churn-daily' });
  });

  it('starts nothing for other events, and refuses a model that never trained successfully', async () => {
    const { deps, started } = setUp();
    expect(
      await handleTriggerEvent(deps, {
        source: 'mlops.registry',
        'detail-type': 'ModelAliasMoved',
        detail: {},
      }),
    ).toBeUndefined();
    await expect(handleTriggerEvent(deps, trainingScheduledEvent('churn'))).rejects.toBeInstanceOf(
      NothingToRetrainError,
    );
    expect(started).toEqual([]);
  });
});
