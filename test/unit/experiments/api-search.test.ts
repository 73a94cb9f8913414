import { describe, expect, it } from 'vitest';
import { type ExperimentsApi, UNKNOWN_ID, useExperimentsApis } from '../../support/experiments-api';

describe('experiments API', () => {
  const setup = useExperimentsApis();

  describe('search', () => {
    const seed = async (api: ExperimentsApi) => {
      const experimentId = await api.createExperiment();
      const runIds: string[] = [];
      for (const [i, auc] of [0.7, 0.9, 0.8, 0.95, 0.6].entries()) {
        api.advance(1000);
        const runId = await api.createRun(experimentId, {
          name: `run-${i}`,
          params: { depth: i % 2 ? '5' : '3' },
        });
        await api.call('POST /runs/{runId}/metrics', {
          params: { runId },
          body: { metrics: [{ key: 'auc', value: auc }] },
        });
        runIds.push(runId);
      }
      return { experimentId, runIds };
    };

    it('filters, orders and pages with nextToken', async () => {
      const api = setup();
      const { experimentId } = await seed(api);
      const body = {
        experimentIds: [experimentId],
        filter: 'metrics.auc >= 0.7',
        orderBy: ['metrics.auc DESC'],
        limit: 2,
      };

      const first = await api.call('POST /runs/search', { body });
      const second = await api.call('POST /runs/search', {
        body: { ...body, nextToken: first.json.nextToken },
      });

      expect(first.json.items.map((r: { name: string }) => r.name)).toEqual(['run-3', 'run-1']);
      expect(second.json.items.map((r: { name: string }) => r.name)).toEqual(['run-2', 'run-0']);
      expect(second.json.nextToken).toBeUndefined();
      expect(first.json.items[0]).toMatchObject({
        startTime: expect.any(String),
        metrics: { auc: { value: 0.95 } },
      });
    });

    it('refuses a nextToken of another search or one it did not issue', async () => {
      const api = setup();
      const { experimentId } = await seed(api);
      const first = await api.call('POST /runs/search', {
        body: { experimentIds: [experimentId], limit: 1 },
      });

      const otherSearch = await api.call('POST /runs/search', {
        body: {
          experimentIds: [experimentId],
          filter: "params.depth = '5'",
          limit: 1,
          nextToken: first.json.nextToken,
        },
      });
      const forged = await api.call('POST /runs/search', {
        body: { experimentIds: [experimentId], nextToken: 'bm9wZQ' },
      });

      expect(otherSearch.json.errors).toEqual([
        { field: 'body.nextToken', rule: 'cursor', message: expect.stringContaining('another search') },
      ]);
      expect(forged.json.errors).toEqual([
        { field: 'body.nextToken', rule: 'cursor', message: 'is not a token this service issued' },
      ]);
    });

    it('names body.filter and each body.orderBy entry at fault, with the character', async () => {
      const api = setup();

      const response = await api.call('POST /runs/search', {
        body: {
          experimentIds: [UNKNOWN_ID],
          filter: "metrics.auc > '0.8'",
          orderBy: ['metrics.auc DESC', 'params.x sideways'],
        },
      });

      expect(response.status).toBe(400);
      expect(response.json.errors).toEqual([
        {
          field: 'body.filter',
          rule: 'search_syntax',
          message: expect.stringContaining('(at character 15)'),
        },
        {
          field: 'body.orderBy.1',
          rule: 'search_syntax',
          message: expect.stringContaining('(at character 10)'),
        },
      ]);
    });

    it('refuses a search without valid experiment ids or with a limit out of range', async () => {
      const api = setup();

      const response = await api.call('POST /runs/search', { body: { experimentIds: ['x'], limit: 1001 } });
      const empty = await api.call('POST /runs/search', { body: { experimentIds: [] } });

      expect(response.json.errors.map((e: { field: string }) => e.field)).toEqual([
        'body.experimentIds.0',
        'body.limit',
      ]);
      expect(empty.json.errors[0]).toMatchObject({ field: 'body.experimentIds', rule: 'too_small' });
    });

    it('finds a run by what was logged to it a moment ago', async () => {
      const api = setup();
      const { experimentId, runIds } = await seed(api);
      const runId = runIds[4]!;

      await api.call('POST /runs/{runId}/metrics', {
        params: { runId },
        body: { metrics: [{ key: 'auc', value: 0.99, step: 1 }] },
      });
      await api.call('POST /runs/{runId}/finish', { params: { runId }, body: { status: 'FINISHED' } });
      const found = await api.call('POST /runs/search', {
        body: {
          experimentIds: [experimentId],
          filter: "metrics.auc > 0.98 and attributes.status = 'FINISHED'",
        },
      });

      expect(found.json.items.map((r: { runId: string }) => r.runId)).toEqual([runId]);
    });
  });
});
