import { describe, expect, it } from 'vitest';
import { type CaptureRecord, encodeCaptures, hourPrefix } from '../../../lambdas/monitoring/captures';
import { featuresFixture, groupBody, record } from '../../support/features';
import {
  capturesOf,
  type MonitorFixture,
  modelWithBaseline,
  monitorFixtures,
  population,
} from '../../support/monitoring';

const HOUR = 3_600_000;

describe('monitoring: feature health', () => {
  const monitorFixture = monitorFixtures();
  const setup = async (featureGroups: { name: string; version: number }[] = []): Promise<MonitorFixture> => {
    const f = monitorFixture();
    await modelWithBaseline(f, 'churn', population({ seed: 1, rows: 2000 }), { featureGroups });
    await f.call('POST /monitors', {
      body: { name: 'churn-health', model: 'churn', schedule: 'rate(1 hour)', kind: 'feature-health' },
    });
    return f;
  };
  const run = async (f: MonitorFixture) => {
    const summary = await f.call('POST /monitors/{name}/runs', { params: { name: 'churn-health' } });
    const report = await f.call('GET /monitors/{name}/reports/{id}', {
      params: { name: 'churn-health', id: summary.json.id },
    });
    return { summary: summary.json, health: report.json.health };
  };
  const write = (f: MonitorFixture, records: readonly CaptureRecord[], extraLines = '') =>
    f.objects.put(
      `${hourPrefix('captures/churn/', new Date(f.clock.now().getTime() - HOUR))}f.jsonl`,
      encodeCaptures(records) + extraLines,
    );

  it('finds missing values, wrong types, unseen categories, unknown columns and malformed lines', async () => {
    const f = await setup();
    const records = capturesOf('churn', population({ seed: 2, rows: 1000 }), f.clock.now()).map((r, i) => ({
      ...r,
      features: {
        ...r.features,
        ...(i % 3 === 0 ? { spend: null } : {}),
        ...(i % 10 === 1 ? { tenure: 'twelve' } : {}),
        ...(i % 10 === 2 ? { plan: 'enterprise' } : {}),
        ...(i % 20 === 3 ? { plan: { nested: true } } : {}),
        region: 'eu',
      },
    }));
    await write(f, records, 'not json\n{"inferenceId": 7}\n');

    const { summary, health } = await run(f);

    expect(summary).toMatchObject({
      status: 'succeeded',
      rows: 1000,
      health: { healthy: false },
      alerts: ['feature-health'],
    });
    const checks = health.issues.map(
      (i: { check: string; subject?: string }) => `${i.check}:${i.subject ?? ''}`,
    );
    expect(checks.sort()).toEqual(
      [
        'missing-rate:spend',
        'wrong-type:tenure',
        'wrong-type:plan',
        'unseen-category:plan',
        'unknown-column:region',
        'malformed-records:',
      ].sort(),
    );
    expect(health.columns.spend.missingRate.current).toBeCloseTo(334 / 1000, 6);
    expect(health.columns.tenure.wrongTypeRate).toBeCloseTo(100 / 1000, 6);
    expect(health.columns.plan.wrongTypeRate).toBeCloseTo(50 / 1000, 6);
    expect(health.unknownColumns).toEqual({ region: 1000 });
    expect(health.malformedRecords).toBe(2);
    expect(f.publisher.types()).toEqual(['monitoring.health.degraded']);
    expect(f.publisher.sent[0]?.message).toContain('spend: 33.4 % missing against 0.0 % in the baseline');
  });

  it('is healthy for clean captures, and sends nothing', async () => {
    const f = await setup();
    await write(f, capturesOf('churn', population({ seed: 3, rows: 500 }), f.clock.now()));

    const { summary, health } = await run(f);

    expect(summary.health).toEqual({ healthy: true, issues: 0 });
    expect(health.issues).toEqual([]);
    expect(f.publisher.sent).toEqual([]);
  });

  it('judges feature groups stale by their TTL, else the monitor threshold; an unknown group has no events', async () => {
    const f = await setup([
      { name: 'customer', version: 1 },
      { name: 'activity', version: 1 },
      { name: 'ghost', version: 1 },
    ]);
    const features = featuresFixture(() => f.store, { clock: f.clock });
    await features.call('POST /feature-groups', { body: groupBody() }); // TTL 1 h
    await features.call('POST /feature-groups', {
      body: groupBody({ name: 'activity', ttlSeconds: undefined }),
    });
    const at = (hoursAgo: number) => new Date(f.clock.now().getTime() - hoursAgo * HOUR).toISOString();
    await features.call('POST /feature-groups/{name}/records', {
      params: { name: 'customer' },
      body: { records: [record(1, at(2))] },
    });
    await features.call('POST /feature-groups/{name}/records', {
      params: { name: 'activity' },
      body: { records: [record(1, at(5))] },
    });
    await write(f, capturesOf('churn', population({ seed: 4, rows: 200 }), f.clock.now()));

    const { health } = await run(f);

    expect(health.featureGroups).toEqual([
      { name: 'customer', version: 1, lastEventTime: at(2), ageHours: 2, staleAfterHours: 1, stale: true },
      { name: 'activity', version: 1, lastEventTime: at(5), ageHours: 5, staleAfterHours: 48, stale: false },
      { name: 'ghost', version: 1, lastEventTime: null, ageHours: null, staleAfterHours: 48, stale: true },
    ]);
    expect(health.issues.map((i: { subject: string }) => i.subject)).toEqual(['customer@1', 'ghost@1']);
  });
});
