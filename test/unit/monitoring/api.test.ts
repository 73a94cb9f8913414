import { describe, expect, it } from 'vitest';
import { labelKey } from '../../../lambdas/monitoring/keys';
import {
  type MonitorFixture,
  modelWithBaseline,
  monitorFixtures,
  population,
} from '../../support/monitoring';

describe('monitoring: monitors API', () => {
  const monitorFixture = monitorFixtures();
  const setup = async (): Promise<MonitorFixture> => {
    const f = monitorFixture();
    await modelWithBaseline(f, 'churn', population({ seed: 1, rows: 100 }));
    return f;
  };
  const create = (f: MonitorFixture, body: Record<string, unknown>) =>
    f.call('POST /monitors', {
      body: { name: 'churn-daily', model: 'churn', schedule: 'rate(1 day)', ...body },
    });

  it('creates a monitor with every kind, champion, a 24 h window and notifications on, and schedules it', async () => {
    const f = await setup();

    const created = await create(f, {});
    const read = await f.call('GET /monitors/{name}', { params: { name: 'churn-daily' } });

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'churn-daily',
      model: 'churn',
      alias: 'champion',
      kinds: ['data-drift', 'prediction-drift', 'feature-health', 'performance'],
      schedule: 'rate(1 day)',
      window: { hours: 24 },
      thresholds: {},
      health: { missingRateIncrease: 0.1, violationRate: 0.01, staleAfterHours: 48 },
      performance: { maxDrop: 0.05, maxIncrease: 0.1, minLabels: 30 },
      notify: { onDrift: true, onHealth: true, onPerformance: true },
      state: { consecutiveDriftRuns: 0 },
      createdBy: 'alice',
    });
    expect(read.json).toEqual(created.json);
    expect(f.schedules.rules).toEqual(new Map([['churn-daily', 'rate(1 day)']]));
  });

  it('refuses a schedule the scheduler rejects with a 400 naming body.schedule, storing and scheduling nothing', async () => {
    const f = await setup();

    const refused = await create(f, { schedule: 'cron(0 9 * * * *)' });
    const read = await f.call('GET /monitors/{name}', { params: { name: 'churn-daily' } });

    expect(refused.status).toBe(400);
    expect(refused.json.errors).toEqual([
      expect.objectContaining({ field: expect.stringMatching(/^body\.schedule\b/) }),
    ]);
    expect(read.status).toBe(404);
    expect(f.schedules.rules.size).toBe(0);
  });

  it('refuses bad thresholds, a pinned version with an alias, and two data sources, naming each field', async () => {
    const f = await setup();

    const thresholds = await create(f, { thresholds: { pValueThreshold: 1.5, correction: 'holm' } });
    const both = await create(f, { alias: 'prod', version: 1 });
    const sources = await create(f, {
      dataSource: { captureUri: 'captures/x/', datasetUri: 'data/x.jsonl' },
    });

    expect(thresholds.status).toBe(400);
    expect(thresholds.json.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.thresholds.correction',
      'body.thresholds.pValueThreshold',
    ]);
    expect(both.json.errors).toEqual([expect.objectContaining({ field: 'body.version' })]);
    expect(sources.json.errors).toEqual([expect.objectContaining({ field: 'body.dataSource' })]);
  });

  it('answers 404 for an unknown model and 409 for a name in use', async () => {
    const f = await setup();
    await create(f, {});

    const unknown = await create(f, { name: 'other', model: 'nope' });
    const taken = await create(f, { schedule: 'rate(2 days)' });

    expect(unknown.status).toBe(404);
    expect(taken.status).toBe(409);
    expect(f.schedules.rules.get('churn-daily')).toBe('rate(1 day)');
  });

  it('changes settings, replacing the schedule; retrain null turns retraining off; an alias ends a pin', async () => {
    const f = await setup();
    await create(f, { version: 1, retrain: { consecutiveRuns: 3 } });

    const patched = await f.call('PATCH /monitors/{name}', {
      params: { name: 'churn-daily' },
      body: {
        schedule: 'cron(0 6 * * ? *)',
        thresholds: { wassersteinThreshold: 0.2 },
        retrain: null,
        alias: 'prod',
      },
    });

    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      schedule: 'cron(0 6 * * ? *)',
      thresholds: { wassersteinThreshold: 0.2 },
    });
    expect(patched.json.alias).toBe('prod');
    expect(patched.json.version).toBeUndefined();
    expect(patched.json.retrain).toBeUndefined();
    expect(f.schedules.rules.get('churn-daily')).toBe('cron(0 6 * * ? *)');
  });

  it('deletes a monitor and its schedule; a second delete is a 404', async () => {
    const f = await setup();
    await create(f, {});

    const deleted = await f.call('DELETE /monitors/{name}', { params: { name: 'churn-daily' } });
    const again = await f.call('DELETE /monitors/{name}', { params: { name: 'churn-daily' } });
    const listed = await f.call('GET /monitors');

    expect(deleted.status).toBe(204);
    expect(again.status).toBe(404);
    expect(listed.json.items).toEqual([]);
    expect(f.schedules.rules.size).toBe(0);
  });

  it('lists monitors in name order, a page at a time', async () => {
    const f = await setup();
    for (const name of ['c-mon', 'a-mon', 'b-mon']) await create(f, { name });

    const first = await f.call('GET /monitors', { query: { limit: '2' } });
    const rest = await f.call('GET /monitors', { query: { limit: '2', nextToken: first.json.nextToken } });

    expect(first.json.items.map((m: { name: string }) => m.name)).toEqual(['a-mon', 'b-mon']);
    expect(rest.json.items.map((m: { name: string }) => m.name)).toEqual(['c-mon']);
  });

  it('stores labels by inference id, the last of a repeated id winning; 404 for an unknown model', async () => {
    const f = await setup();

    const stored = await f.call('POST /models/{name}/labels', {
      params: { name: 'churn' },
      body: {
        labels: [
          { inferenceId: 'inf-1', label: 1 },
          { inferenceId: 'inf-2', label: 0, timestamp: '2026-11-28T09:00:00Z' },
          { inferenceId: 'inf-1', label: 0 },
        ],
      },
    });
    const unknown = await f.call('POST /models/{name}/labels', {
      params: { name: 'nope' },
      body: { labels: [{ inferenceId: 'x', label: 1 }] },
    });

    expect(stored.status).toBe(200);
    expect(stored.json).toEqual({ model: 'churn', accepted: 2 });
    expect((await f.store.get(labelKey('churn', 'inf-1')))?.data).toMatchObject({ label: 0 });
    expect((await f.store.get(labelKey('churn', 'inf-2')))?.data).toMatchObject({ label: 0 });
    expect(unknown.status).toBe(404);
  });
});
