import { describe, expect, it } from 'vitest';
import { PENDING_EVENTS_PK } from '../../../lambdas/shared/events/publish-after-commit';
import { churnFixtures, type MonitorFixture, population, writeCaptureRows } from '../../support/monitoring';

const HOUR = 3_600_000;

describe('monitoring: retraining on confirmed drift (level 3)', () => {
  const churn = churnFixtures();
  const setup = () =>
    churn({
      monitor: {
        name: 'churn-drift',
        model: 'churn',
        schedule: 'rate(1 hour)',
        kind: 'data-drift',
        window: { hours: 1 },
        retrain: { consecutiveRuns: 2 },
      },
    });
  /** Writes an hour of captures, drifted or not, then runs the monitor over that hour. */
  const hour = async (f: MonitorFixture, drifted: boolean, seed: number) => {
    f.clock.advance(HOUR);
    await writeCaptureRows(f, 'churn', population({ seed, rows: 600, ...(drifted ? { shift: 1 } : {}) }), {
      idPrefix: `h${seed}`,
    });
    return (await f.call('POST /monitors/{name}/runs', { params: { name: 'churn-drift' } })).json;
  };
  /** Events monitoring published (the registry's own share the recorder). */
  const monitoringEvents = (f: MonitorFixture) =>
    f.events.published.filter((e) => e.source === 'mlops.monitoring');
  const history = async (f: MonitorFixture) =>
    (await f.registry('GET /models/{name}/history', { params: { name: 'churn' } })).json.items;

  it('requests retraining once drift is confirmed on N consecutive runs, audited on the model', async () => {
    const f = await setup();

    const first = await hour(f, true, 2);
    const streak = (await f.call('GET /monitors/{name}', { params: { name: 'churn-drift' } })).json.state;
    const second = await hour(f, true, 3);
    const after = (await f.call('GET /monitors/{name}', { params: { name: 'churn-drift' } })).json.state;

    expect(first).toMatchObject({ dataDrift: { drift: true }, retrainingRequested: false });
    expect(streak.consecutiveDriftRuns).toBe(1);
    expect(second).toMatchObject({ dataDrift: { drift: true }, retrainingRequested: true });
    expect(after.consecutiveDriftRuns).toBe(0);
    expect(monitoringEvents(f)).toEqual([
      {
        source: 'mlops.monitoring',
        detailType: 'RetrainingRequested',
        detail: {
          model: 'churn',
          version: 1,
          monitor: 'churn-drift',
          consecutiveRuns: 2,
          reportId: second.id,
          reportUri: second.reportUri,
        },
        time: second.finishedAt,
      },
    ]);
    expect((await history(f))[0]).toMatchObject({
      kind: 'retraining-requested',
      actor: 'monitor:churn-drift',
      model: 'churn',
      version: 1,
      reportId: second.id,
      consecutiveRuns: 2,
    });
    expect(f.publisher.sent.at(-1)?.message).toContain('Retraining requested');
  });

  it('starts counting again after a run without drift', async () => {
    const f = await setup();

    await hour(f, true, 2);
    await hour(f, false, 3);
    const third = await hour(f, true, 4);

    expect(third.retrainingRequested).toBe(false);
    expect(monitoringEvents(f)).toEqual([]);
  });

  it('keeps the request as a pending event when the bus is down, the audit entry written', async () => {
    const f = await setup();

    await hour(f, true, 2);
    f.events.failures = 1;
    const second = await hour(f, true, 3);
    const pending = await f.store.query(PENDING_EVENTS_PK);

    expect(second.retrainingRequested).toBe(true);
    expect(monitoringEvents(f)).toEqual([]);
    expect(pending.items).toHaveLength(1);
    expect(pending.items[0]?.data).toMatchObject({ events: [{ detailType: 'RetrainingRequested' }] });
    expect((await history(f))[0]).toMatchObject({ kind: 'retraining-requested' });
  });
});
