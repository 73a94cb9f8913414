import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBaseline } from '../../lambdas/monitoring/baselines';
import { writeCaptures } from '../../lambdas/monitoring/captures';
import { profileTable } from '../../lambdas/monitoring/drift';
import { loadLocalConfig } from '../../local/config';
import { parseWebhookUrls } from '../../local/notifications/webhook-urls';
import { type LocalPlatform, startLocalPlatform } from '../../local/platform';
import { type ManualClock, manualClock } from '../support/clock';
import { readJson } from '../support/http';
import { capturesOf, columnsOf, population } from '../support/monitoring';

/** Monitors on the local platform over real HTTP: schedules, runs on demand, reports, the outbox. */
describe('monitors on the local platform', () => {
  let home: string;
  let clock: ManualClock;
  let platform: LocalPlatform;

  const start = async () => {
    platform = await startLocalPlatform(
      loadLocalConfig({ MLOPS_PORT: '0', MLOPS_HOME: home }, parseWebhookUrls),
      clock,
    );
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${platform.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-mlops-actor': 'alice' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: response.status === 204 ? undefined : await readJson(response) };
  };
  /** A model with champion on version 1 and a baseline drawn from the reference population. */
  const model = async (name: string) => {
    await api('POST', '/models', { name });
    await api('POST', `/models/${name}/versions`, {
      artifactUri: `s3://a/${name}`,
      artifactSha256: 'b'.repeat(64),
    });
    await api('POST', `/models/${name}/versions/1/approval`, {
      decision: 'Approved',
      reviewer: 'bob',
      comment: 'ok',
    });
    await api('PUT', `/models/${name}/aliases/champion`, { version: 1 });
    const { features, predictions } = columnsOf(population({ seed: 11, rows: 3000 }));
    await writeBaseline(platform.objects, name, 1, {
      features: profileTable(features),
      predictions: profileTable(predictions),
      featureGroups: [],
      metrics: {},
    });
  };
  const notificationTypes = async () =>
    (await api('GET', '/notifications?limit=100')).json.items.map((n: { type: string }) => n.type);

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mlops-monitors-e2e-'));
    clock = manualClock('2026-11-28T10:00:00.000Z');
    await start();
    await model('churn');
    await model('fraud');
  });
  afterAll(async () => {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates a monitor and registers its schedule with the local scheduler', async () => {
    const created = await api('POST', '/monitors', {
      name: 'churn-hourly',
      model: 'churn',
      schedule: 'rate(1 hour)',
    });

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'churn-hourly',
      alias: 'champion',
      state: { consecutiveDriftRuns: 0 },
    });
    expect(platform.scheduler.list()).toEqual([
      expect.objectContaining({ name: 'monitor-churn-hourly', expression: 'rate(1 hour)' }),
    ]);
  });

  it('refuses a schedule the scheduler cannot run with a 400 naming body.schedule, storing nothing', async () => {
    const refused = await api('POST', '/monitors', { name: 'bad', model: 'churn', schedule: 'rate(5 hour)' });
    const read = await api('GET', '/monitors/bad');

    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      expect.objectContaining({ field: expect.stringMatching(/^body\.schedule/) }),
    ]);
    expect(read.status).toBe(404);
  });

  it('runs on demand: drifted captures give a drift report and a notification in the outbox', async () => {
    const captures = capturesOf(
      'churn',
      population({ seed: 12, rows: 1500, shift: 1, plans: [0.2, 0.3, 0.5] }),
      clock.now(),
    );
    await writeCaptures(platform.objects, captures, 'serving-1');

    const run = await api('POST', '/monitors/churn-hourly/runs');
    const report = await api('GET', `/monitors/churn-hourly/reports/${run.json.id}`);

    expect(run.status).toBe(201);
    expect(run.json).toMatchObject({ status: 'succeeded', rows: 1500, dataDrift: { drift: true } });
    expect(report.json.dataDrift.dataset.driftedColumns).toEqual(
      expect.arrayContaining(['tenure', 'spend', 'plan']),
    );
    // Shifted values also leave the baseline's range, which feature health reports on its own.
    expect(await notificationTypes()).toContain('monitoring.drift.detected');
  });

  it('runs on demand: captures like the baseline give no drift and no notification', async () => {
    await api('POST', '/monitors', { name: 'fraud-hourly', model: 'fraud', schedule: 'cron(0 * * * ? *)' });
    await writeCaptures(
      platform.objects,
      capturesOf('fraud', population({ seed: 13, rows: 1500 }), clock.now()),
      'serving-1',
    );
    const before = await notificationTypes();

    const run = await api('POST', '/monitors/fraud-hourly/runs');

    expect(run.json).toMatchObject({
      status: 'succeeded',
      rows: 1500,
      dataDrift: { drift: false },
      alerts: [],
    });
    expect(await notificationTypes()).toEqual(before);
  });

  it('runs when the schedule fires, and the run joins the history', async () => {
    await platform.scheduler.trigger('monitor-churn-hourly');

    const history = await api('GET', '/monitors/churn-hourly/reports');

    expect(history.json.items).toHaveLength(2);
    expect(history.json.items[0]).toMatchObject({ status: 'succeeded', dataDrift: { drift: true } });
  });

  it('registers every stored monitor again when the platform restarts', async () => {
    await platform.close();
    await start();

    expect(
      platform.scheduler
        .list()
        .map((rule) => rule.name)
        .sort(),
    ).toEqual(['monitor-churn-hourly', 'monitor-fraud-hourly']);
  });

  it('deletes a monitor with its schedule, keeping its reports', async () => {
    const history = await api('GET', '/monitors/fraud-hourly/reports');

    const deleted = await api('DELETE', '/monitors/fraud-hourly');
    const report = await api('GET', `/monitors/fraud-hourly/reports/${history.json.items[0].id}`);

    expect(deleted.status).toBe(204);
    expect(platform.scheduler.list().map((rule) => rule.name)).toEqual(['monitor-churn-hourly']);
    expect(report.status).toBe(200);
  });
});
