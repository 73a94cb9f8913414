/**
 * What starts the training pipeline again on the local platform: a monitor's RetrainingRequested and a
 * model's schedule both repeat the model's last successful request; other events start nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { lastSuccessfulRun } from '../../lambdas/pipelines/triggers';
import { type Execution, request, useTrainingPlatform } from '../support/training-pipeline';

describe('training pipeline triggers on the local platform', () => {
  const fixture = useTrainingPlatform();
  const { call, train } = fixture;

  // What the triggers repeat: one successful training of credit-default.
  let first: Execution;
  beforeAll(async () => {
    first = (await train(request())) as Execution;
    expect(first.status, JSON.stringify(first)).toBe('SUCCEEDED');
  }, 120_000);

  it("retrains when a monitor confirms drift: the model's last successful request, started again", async () => {
    const before = (await call('GET', '/models/credit-default')).body.latestVersion as number;
    await fixture.platform.events.publish([
      {
        source: 'mlops.monitoring',
        detailType: 'RetrainingRequested',
        detail: { model: 'credit-default', version: 1, monitor: 'credit-drift', consecutiveRuns: 3 },
      },
    ]);
    await fixture.platform.events.drain();
    await fixture.platform.workflows.drain();
    const [newest] = (await call('GET', '/pipelines/executions?model=credit-default&limit=1')).body.items;
    expect(newest).toMatchObject({
      trigger: 'event',
      startedBy: 'monitor:credit-drift',
      status: 'SUCCEEDED',
    });
    const retrained = (await call('GET', `/pipelines/executions/${newest.executionId}`)).body as Execution;
    expect(retrained.output.modelVersion).toBe(before + 1);
    // Same request, same data: the same dataset version as the first run.
    expect(retrained.output.datasetVersion.sha256).toBe(first.output.datasetVersion.sha256);
  }, 120_000);

  it('ignores other events, and refuses to retrain a model that never trained', async () => {
    const deps = { store: fixture.platform.store };
    expect(await lastSuccessfulRun(deps, 'never-trained')).toBeUndefined();
    await fixture.platform.events.publish([
      { source: 'mlops.monitoring', detailType: 'RetrainingRequested', detail: { model: 'never-trained' } },
      { source: 'mlops.registry', detailType: 'ModelVersionApproved', detail: { model: 'credit-default' } },
    ]);
    await fixture.platform.events.drain();
    await fixture.platform.workflows.drain();
    expect((await call('GET', '/pipelines/executions?model=never-trained')).body.items).toEqual([]);
  });

  it('retrains on a schedule: one rule per model, repeating its last successful request', async () => {
    const never = await call('PUT', '/pipelines/training/schedules/never-trained', {
      schedule: 'rate(1 day)',
    });
    expect(never.status).toBe(409);
    const bad = await call('PUT', '/pipelines/training/schedules/credit-default', {
      schedule: 'cron(0 3 * * * *)',
    });
    expect(bad.status).toBe(400);
    // The field at fault, down to the part of the expression (body.schedule.dayOfWeek).
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      expect.stringMatching(/^body\.schedule/),
    ]);
    expect((await call('GET', '/pipelines/training/schedules')).body.items).toEqual([]);

    const set = await call('PUT', '/pipelines/training/schedules/credit-default', {
      schedule: 'rate(1 day)',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ model: 'credit-default', schedule: 'rate(1 day)', updatedBy: 'alice' });
    expect(fixture.platform.scheduler.list().map((rule) => rule.name)).toContain('training-credit-default');

    const before = (await call('GET', '/models/credit-default')).body.latestVersion as number;
    await fixture.platform.scheduler.trigger('training-credit-default');
    await fixture.platform.workflows.drain();
    const [newest] = (await call('GET', '/pipelines/executions?model=credit-default&limit=1')).body.items;
    expect(newest).toMatchObject({ trigger: 'schedule', startedBy: 'schedule', status: 'SUCCEEDED' });
    expect((await call('GET', '/models/credit-default')).body.latestVersion).toBe(before + 1);

    expect((await call('DELETE', '/pipelines/training/schedules/credit-default')).status).toBe(204);
    expect(fixture.platform.scheduler.list().map((rule) => rule.name)).not.toContain(
      'training-credit-default',
    );
    expect((await call('DELETE', '/pipelines/training/schedules/credit-default')).status).toBe(404);
  }, 120_000);
});
