import { describe, expect, it } from 'vitest';
import { T0, useExperimentsApis } from '../../support/experiments-api';

// Requests interleave at every store await, so a read-modify-write of the run item races exactly as
// it does with parallel Lambda invocations; the revision check and retry must lose nothing.
describe('experiments under concurrent requests', () => {
  const setup = useExperimentsApis();

  it('loses no point and keeps the greatest latest value when metric batches race on one run', async () => {
    const api = setup();
    const runId = await api.createRun(await api.createExperiment());
    const batches = 16;
    const perBatch = 50;

    const responses = await Promise.all(
      Array.from({ length: batches }, (_, b) =>
        api.call('POST /runs/{runId}/metrics', {
          params: { runId },
          body: {
            // Keys every batch shares, plus one of its own that a lost update would drop.
            metrics: [
              ...Array.from({ length: perBatch }, (_, i) => ({
                key: `k${i % 5}`,
                value: b * 1000 + i,
                step: b * perBatch + i,
                timestamp: T0 + i,
              })),
              { key: `own${b}`, value: b, step: 0, timestamp: T0 },
            ],
          },
        }),
      ),
    );
    const run = await api.call('GET /runs/{runId}', { params: { runId } });
    const histories = await Promise.all(
      [0, 1, 2, 3, 4].map((k) =>
        api.call('GET /runs/{runId}/metrics/{key}', {
          params: { runId, key: `k${k}` },
          query: { limit: '1000' },
        }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(batches).fill(200));
    expect(histories.map((h) => h.json.items.length)).toEqual(Array(5).fill((batches * perBatch) / 5));
    const last = batches - 1;
    expect(run.json.metrics).toEqual({
      ...Object.fromEntries(
        [0, 1, 2, 3, 4].map((k) => {
          const i = perBatch - 5 + k;
          return [`k${k}`, { value: last * 1000 + i, step: last * perBatch + i, timestamp: T0 + i }];
        }),
      ),
      ...Object.fromEntries(
        Array.from({ length: batches }, (_, b) => [`own${b}`, { value: b, step: 0, timestamp: T0 }]),
      ),
    });
  });

  it('keeps every param when requests with different keys race', async () => {
    const api = setup();
    const runId = await api.createRun(await api.createExperiment());

    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api.call('POST /runs/{runId}/params', { params: { runId }, body: { params: { [`p${i}`]: i } } }),
      ),
    );
    const run = await api.call('GET /runs/{runId}', { params: { runId } });

    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(run.json.params).toEqual(
      Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, String(i)])),
    );
  });

  it('lets exactly one of racing requests set a param, refusing other values with 409', async () => {
    const api = setup();
    const runId = await api.createRun(await api.createExperiment());

    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('POST /runs/{runId}/params', { params: { runId }, body: { params: { seed: i } } }),
      ),
    );
    const run = await api.call('GET /runs/{runId}', { params: { runId } });

    const winners = responses.flatMap((r, i) => (r.status === 200 ? [String(i)] : []));
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(7);
    expect(run.json.params.seed).toBe(winners[0]);
  });

  it('creates one experiment when creations of one name race', async () => {
    const api = setup();

    const responses = await Promise.all(
      Array.from({ length: 8 }, () => api.call('POST /experiments', { body: { name: 'contended' } })),
    );
    const listed = await api.call('GET /experiments', {});

    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(7).fill(409)]);
    expect(listed.json.items).toHaveLength(1);
  });

  it('ends a run once when finishes with different statuses race', async () => {
    const api = setup();
    const runId = await api.createRun(await api.createExperiment());

    const responses = await Promise.all(
      (['FINISHED', 'FAILED', 'KILLED'] as const).map((status) =>
        api.call('POST /runs/{runId}/finish', { params: { runId }, body: { status } }),
      ),
    );
    const run = await api.call('GET /runs/{runId}', { params: { runId } });

    const won = responses.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(2);
    expect(run.json.status).toBe(won[0]?.json.status);
  });
});
