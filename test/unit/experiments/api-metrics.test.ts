import { describe, expect, it } from 'vitest';
import { T0, UNKNOWN_ID, useExperimentsApis } from '../../support/experiments-api';

describe('experiments API', () => {
  const setup = useExperimentsApis();

  describe('metrics', () => {
    it('logs a batch and lists each key by step, then timestamp', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());

      const logged = await api.call('POST /runs/{runId}/metrics', {
        params: { runId },
        body: {
          metrics: [
            { key: 'loss', value: 0.5, step: 2, timestamp: T0 + 5 },
            { key: 'loss', value: 0.9, step: 1, timestamp: T0 + 9 },
            { key: 'loss', value: 0.7, step: 1, timestamp: T0 + 1 },
            { key: 'auc', value: 0.8, step: 1, timestamp: T0 },
          ],
        },
      });
      const history = await api.call('GET /runs/{runId}/metrics/{key}', { params: { runId, key: 'loss' } });
      const run = await api.call('GET /runs/{runId}', { params: { runId } });

      expect(logged.json).toEqual({ runId, logged: 4 });
      expect(history.json).toEqual({
        items: [
          { step: 1, timestamp: T0 + 1, value: 0.7 },
          { step: 1, timestamp: T0 + 9, value: 0.9 },
          { step: 2, timestamp: T0 + 5, value: 0.5 },
        ],
      });
      expect(run.json.metrics).toEqual({
        loss: { value: 0.5, step: 2, timestamp: T0 + 5 },
        auc: { value: 0.8, step: 1, timestamp: T0 },
      });
    });

    it('keeps as latest the greatest (step, timestamp, value), whatever order batches arrive in', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      const log = (value: number, step: number, timestamp: number) =>
        api.call('POST /runs/{runId}/metrics', {
          params: { runId },
          body: { metrics: [{ key: 'm', value, step, timestamp }] },
        });

      await log(3, 5, T0);
      await log(1, 4, T0 + 100);
      await log(2, 5, T0);
      await log(9, 5, T0 - 1);
      const run = await api.call('GET /runs/{runId}', { params: { runId } });

      expect(run.json.metrics.m).toEqual({ value: 3, step: 5, timestamp: T0 });
    });

    it('stores a repeated point once, so a retried batch adds nothing', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      const batch = {
        metrics: [
          { key: 'm', value: 1, step: 1, timestamp: T0 },
          { key: 'm', value: 1, step: 1, timestamp: T0 },
          { key: 'm', value: 2, step: 1, timestamp: T0 },
        ],
      };

      const first = await api.call('POST /runs/{runId}/metrics', { params: { runId }, body: batch });
      await api.call('POST /runs/{runId}/metrics', { params: { runId }, body: batch });
      const history = await api.call('GET /runs/{runId}/metrics/{key}', { params: { runId, key: 'm' } });

      expect(first.json.logged).toBe(2);
      expect(history.json.items).toEqual([
        { step: 1, timestamp: T0, value: 1 },
        { step: 1, timestamp: T0, value: 2 },
      ]);
    });

    it('defaults the step to 0 and the timestamp to the time of the request', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      api.advance(42);

      await api.call('POST /runs/{runId}/metrics', {
        params: { runId },
        body: { metrics: [{ key: 'm', value: 1 }] },
      });
      const history = await api.call('GET /runs/{runId}/metrics/{key}', { params: { runId, key: 'm' } });

      expect(history.json.items).toEqual([{ step: 0, timestamp: T0 + 42, value: 1 }]);
    });

    it('pages through a long history and reads keys that hold a slash', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      const metrics = Array.from({ length: 7 }, (_, step) => ({
        key: 'train/loss',
        value: 1 / (step + 1),
        step,
      }));
      await api.call('POST /runs/{runId}/metrics', { params: { runId }, body: { metrics } });

      const steps: number[] = [];
      let nextToken: string | undefined;
      do {
        const page = await api.call('GET /runs/{runId}/metrics/{key}', {
          params: { runId, key: 'train%2Floss' },
          query: { limit: '3', ...(nextToken ? { nextToken } : {}) },
        });
        steps.push(...page.json.items.map((p: { step: number }) => p.step));
        nextToken = page.json.nextToken;
      } while (nextToken);
      const decoded = await api.call('GET /runs/{runId}/metrics/{key}', {
        params: { runId, key: 'train/loss' },
      });

      expect(steps).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(decoded.json.items).toHaveLength(7);
    });

    it.each([
      [{ metrics: [] }, 'body.metrics', 'too_small'],
      [
        { metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'm', value: i })) },
        'body.metrics',
        'too_big',
      ],
      [{ metrics: [{ key: 'm', value: '0.5' }] }, 'body.metrics.0.value', 'invalid_type'],
      [{ metrics: [{ key: 'm', value: 1e300 }] }, 'body.metrics.0.value', 'too_big'],
      [{ metrics: [{ key: 'm', value: 1e-200 }] }, 'body.metrics.0.value', 'custom'],
      [{ metrics: [{ key: 'm', value: 1, step: -1 }] }, 'body.metrics.0.step', 'too_small'],
      [{ metrics: [{ key: 'm', value: 1, step: 1.5 }] }, 'body.metrics.0.step', 'invalid_type'],
      [{ metrics: [{ key: 'a#b', value: 1 }] }, 'body.metrics.0.key', 'invalid_format'],
      [{ metrics: [{ key: 'm', value: 1, unit: 's' }] }, 'body.metrics.0.unit', 'unrecognized_keys'],
    ])('refuses %j naming %s (%s), storing nothing', async (body, field, rule) => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      const before = api.itemCount();

      const response = await api.call('POST /runs/{runId}/metrics', { params: { runId }, body });

      expect(response.status).toBe(400);
      expect(response.json.errors).toContainEqual(expect.objectContaining({ field, rule }));
      expect(api.itemCount()).toBe(before);
    });

    it('logs 1,000 points in a handful of store round trips', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i, step: i }));
      const before = api.storeCalls();

      const response = await api.call('POST /runs/{runId}/metrics', { params: { runId }, body: { metrics } });

      // Where the run lives (1), ten transactions of 100 points (10), the run read and written (2).
      expect(response.json.logged).toBe(1000);
      expect(api.storeCalls() - before).toBe(13);
    });

    it('answers 404 for metrics of an unknown run, storing nothing', async () => {
      const api = setup();

      const logged = await api.call('POST /runs/{runId}/metrics', {
        params: { runId: UNKNOWN_ID },
        body: { metrics: [{ key: 'm', value: 1 }] },
      });
      const history = await api.call('GET /runs/{runId}/metrics/{key}', {
        params: { runId: UNKNOWN_ID, key: 'm' },
      });

      expect(logged.status).toBe(404);
      expect(history.status).toBe(404);
      expect(api.itemCount()).toBe(0);
    });
  });
});
