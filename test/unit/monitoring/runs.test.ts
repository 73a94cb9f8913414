import { describe, expect, it } from 'vitest';
import { churnFixtures, type MonitorFixture, population, writeCaptureRows } from '../../support/monitoring';

describe('monitoring: runs', () => {
  const churn = churnFixtures();
  const setup = async (): Promise<MonitorFixture> => {
    const f = await churn();
    const created = await f.call('POST /monitors', {
      body: {
        name: 'churn-daily',
        model: 'churn',
        schedule: 'rate(1 day)',
        kind: ['data-drift', 'prediction-drift'],
      },
    });
    expect(created.status).toBe(201);
    return f;
  };
  const runNow = (f: MonitorFixture) =>
    f.call('POST /monitors/{name}/runs', { params: { name: 'churn-daily' } });

  it('finds drift in shifted captures, stores the report and notifies with the drifted features', async () => {
    const f = await setup();
    await writeCaptureRows(f, 'churn', population({ seed: 2, rows: 1000, shift: 1, plans: [0.2, 0.3, 0.5] }));

    const run = await runNow(f);
    const report = await f.call('GET /monitors/{name}/reports/{id}', {
      params: { name: 'churn-daily', id: run.json.id },
    });

    expect(run.status).toBe(201);
    expect(run.json).toMatchObject({
      monitor: 'churn-daily',
      model: 'churn',
      version: 1,
      status: 'succeeded',
      rows: 1000,
      dataDrift: { drift: true, driftedFeatures: expect.arrayContaining(['tenure', 'spend', 'plan']) },
      predictionDrift: { drift: true },
      alerts: ['data-drift', 'prediction-drift'],
    });
    expect(report.status).toBe(200);
    expect(report.json.dataDrift.features.tenure).toMatchObject({
      type: 'numeric',
      drift: true,
      method: 'wasserstein',
    });
    expect(report.json.dataDrift.features.tenure.wassersteinNormed).toBeGreaterThan(0.5);
    expect(report.json.dataDrift.features.plan).toMatchObject({ type: 'categorical', drift: true });
    expect(f.publisher.types()).toEqual(['monitoring.drift.detected']);
    const [sent] = f.publisher.sent;
    expect(sent?.attributes).toEqual({ model: 'churn', version: '1', monitor: 'churn-daily' });
    expect(sent?.message).toMatch(/tenure: Wasserstein\/std \d/);
    expect(sent?.message).toContain(run.json.reportUri);
    expect(sent?.detail).toMatchObject({
      model: 'churn',
      version: 1,
      reportId: run.json.id,
      dataDrift: { features: { tenure: { drift: true } } },
    });
  });

  it('reports no drift and sends nothing for captures from the reference population', async () => {
    const f = await setup();
    await writeCaptureRows(f, 'churn', population({ seed: 3, rows: 1000 }));

    const run = await runNow(f);

    expect(run.json).toMatchObject({
      status: 'succeeded',
      rows: 1000,
      dataDrift: { drift: false },
      alerts: [],
    });
    expect(f.publisher.sent).toEqual([]);
  });

  it('leaves out records of other versions and outside the window, and counts them', async () => {
    const f = await setup();
    const rows = population({ seed: 4, rows: 300 });
    await writeCaptureRows(f, 'churn', rows, { fileId: 'v1' });
    await writeCaptureRows(f, 'churn', rows, { fileId: 'canary', version: 2, idPrefix: 'canary' });
    f.clock.advance(24 * 3_600_000 - 30 * 60_000);
    await writeCaptureRows(f, 'churn', rows.slice(0, 50), { fileId: 'late', idPrefix: 'late' });

    const run = await runNow(f);
    const report = await f.call('GET /monitors/{name}/reports/{id}', {
      params: { name: 'churn-daily', id: run.json.id },
    });

    // The window is the 24 h before the run: the first hour of captures (24.5 to 23.5 h old) is half
    // inside it; its folder overlaps the window, so the file is read and its records sorted by timestamp.
    expect(run.json.rows).toBe(150 + 50);
    expect(report.json.counts).toEqual({
      objects: 4,
      rows: 200,
      otherVersions: 300,
      outsideWindow: 150,
      malformed: 0,
    });
  });

  it('lists the history newest first, a page at a time', async () => {
    const f = await setup();
    await writeCaptureRows(f, 'churn', population({ seed: 5, rows: 200 }));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await runNow(f)).json.id);
      f.clock.advance(60_000);
    }

    const first = await f.call('GET /monitors/{name}/reports', {
      params: { name: 'churn-daily' },
      query: { limit: '2' },
    });
    const second = await f.call('GET /monitors/{name}/reports', {
      params: { name: 'churn-daily' },
      query: { limit: '2', nextToken: first.json.nextToken },
    });
    const monitor = await f.call('GET /monitors/{name}', { params: { name: 'churn-daily' } });

    expect(first.json.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    expect(second.json.items.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    expect(second.json.nextToken).toBeUndefined();
    expect(monitor.json.state).toMatchObject({
      lastReportId: ids[2],
      lastStatus: 'succeeded',
      consecutiveDriftRuns: 0,
    });
  });

  it('records a run that cannot start as failed, with the reason, and answers 201', async () => {
    const f = await setup();
    await f.registry('POST /models', { body: { name: 'orphan' } });
    await f.call('POST /monitors', {
      body: { name: 'orphan-watch', model: 'orphan', schedule: 'rate(1 hour)' },
    });

    const run = await f.call('POST /monitors/{name}/runs', { params: { name: 'orphan-watch' } });
    const history = await f.call('GET /monitors/{name}/reports', { params: { name: 'orphan-watch' } });

    expect(run.status).toBe(201);
    expect(run.json).toMatchObject({ status: 'failed', rows: 0, alerts: [] });
    expect(run.json.error).toMatch(/Model orphan has no alias champion/);
    expect(history.json.items).toEqual([run.json]);
  });

  it('answers 404 for the run of a monitor that does not exist', async () => {
    const f = await setup();

    const run = await f.call('POST /monitors/{name}/runs', { params: { name: 'nope' } });

    expect(run.status).toBe(404);
  });
});
