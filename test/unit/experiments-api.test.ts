import { afterEach, describe, expect, it } from 'vitest';
import { type ExperimentsApi, experimentsApi, T0 } from '../support/experiments-api';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UNKNOWN_ID = '01KB0000000000000000000000';

describe('experiments API', () => {
  const apis: ExperimentsApi[] = [];
  const setup = (options?: Parameters<typeof experimentsApi>[0]) => {
    const api = experimentsApi(options);
    apis.push(api);
    return api;
  };
  afterEach(() => {
    for (const api of apis.splice(0)) api.close();
  });

  describe('experiments', () => {
    it('creates an experiment and reads it back', async () => {
      const api = setup();

      const created = await api.call('POST /experiments', {
        body: { name: 'fraud-detection', description: 'Card fraud', tags: { team: 'fraud' } },
        actor: 'bob',
      });
      const read = await api.call('GET /experiments/{experimentId}', {
        params: { experimentId: created.json.experimentId },
      });

      expect(created.status).toBe(201);
      expect(created.json).toEqual({
        experimentId: expect.stringMatching(ULID),
        name: 'fraud-detection',
        description: 'Card fraud',
        tags: { team: 'fraud' },
        createdAt: new Date(T0).toISOString(),
        createdBy: 'bob',
      });
      expect(read).toMatchObject({ status: 200, json: created.json });
    });

    it('refuses a second experiment with the same name, storing nothing more', async () => {
      const api = setup();
      await api.createExperiment('churn');
      const before = api.itemCount();

      const second = await api.call('POST /experiments', { body: { name: 'churn' } });

      expect(second.status).toBe(409);
      expect(second.json).toMatchObject({
        type: 'urn:mlops:problem:conflict',
        detail: 'An experiment named "churn" exists already.',
      });
      expect(api.itemCount()).toBe(before);
    });

    it('lists experiments newest first, page by page, and finds one by name', async () => {
      const api = setup();
      for (const name of ['a', 'b', 'c']) {
        await api.createExperiment(name);
        api.advance(1000);
      }

      const first = await api.call('GET /experiments', { query: { limit: '2' } });
      const second = await api.call('GET /experiments', {
        query: { limit: '2', nextToken: first.json.nextToken },
      });
      const byName = await api.call('GET /experiments', { query: { name: 'b' } });
      const missing = await api.call('GET /experiments', { query: { name: 'zzz' } });

      expect(first.json.items.map((e: { name: string }) => e.name)).toEqual(['c', 'b']);
      expect(second.json.items.map((e: { name: string }) => e.name)).toEqual(['a']);
      expect(second.json.nextToken).toBeUndefined();
      expect(byName.json.items.map((e: { name: string }) => e.name)).toEqual(['b']);
      expect(missing.json).toEqual({ items: [] });
    });

    it('refuses bad input naming each field, storing nothing', async () => {
      const api = setup();

      const response = await api.call('POST /experiments', {
        body: { name: '  ', tags: { 'bad#key': 'x' }, colour: 'red' },
      });

      expect(response.status).toBe(400);
      expect(response.json.errors.map((e: { field: string; rule: string }) => [e.field, e.rule])).toEqual(
        expect.arrayContaining([
          ['body.name', 'too_small'],
          ['body.tags.bad#key', 'invalid_key'],
          ['body.colour', 'unrecognized_keys'],
        ]),
      );
      expect(api.itemCount()).toBe(0);
    });

    it('answers 404 for an unknown experiment and 400 for a malformed id', async () => {
      const api = setup();

      const unknown = await api.call('GET /experiments/{experimentId}', {
        params: { experimentId: UNKNOWN_ID },
      });
      const malformed = await api.call('GET /experiments/{experimentId}', {
        params: { experimentId: 'nope' },
      });

      expect(unknown.status).toBe(404);
      expect(malformed.status).toBe(400);
      expect(malformed.json.errors[0]).toMatchObject({
        field: 'params.experimentId',
        rule: 'invalid_format',
      });
    });
  });

  describe('runs', () => {
    it('starts a run RUNNING, with params stored as strings', async () => {
      const api = setup();
      const experimentId = await api.createExperiment();

      const created = await api.call('POST /experiments/{experimentId}/runs', {
        params: { experimentId },
        body: {
          name: 'baseline',
          params: { max_depth: 5, lr: 0.1, early_stop: true, model: 'xgb' },
          tags: { team: 'fraud' },
        },
        actor: 'carol',
      });
      const read = await api.call('GET /runs/{runId}', { params: { runId: created.json.runId } });

      expect(created.status).toBe(201);
      expect(created.json).toEqual({
        runId: expect.stringMatching(ULID),
        experimentId,
        name: 'baseline',
        status: 'RUNNING',
        userId: 'carol',
        startTime: new Date(T0).toISOString(),
        params: { max_depth: '5', lr: '0.1', early_stop: 'true', model: 'xgb' },
        tags: { team: 'fraud' },
        metrics: {},
        modelVersions: [],
        createdAt: new Date(T0).toISOString(),
        updatedAt: new Date(T0).toISOString(),
      });
      expect(read.json).toEqual(created.json);
    });

    it('starts a run at the start time it is given', async () => {
      const api = setup();
      const experimentId = await api.createExperiment();

      const created = await api.call('POST /experiments/{experimentId}/runs', {
        params: { experimentId },
        body: { startTime: '2026-01-02T03:04:05.678+01:00' },
      });

      expect(created.json.startTime).toBe('2026-01-02T02:04:05.678Z');
    });

    it('answers 404 for a run in an unknown experiment, storing nothing', async () => {
      const api = setup();

      const response = await api.call('POST /experiments/{experimentId}/runs', {
        params: { experimentId: UNKNOWN_ID },
        body: {},
      });

      expect(response.status).toBe(404);
      expect(api.itemCount()).toBe(0);
    });

    it('refuses bad run input naming each field, storing nothing', async () => {
      const api = setup();
      const experimentId = await api.createExperiment();
      const before = api.itemCount();

      const response = await api.call('POST /experiments/{experimentId}/runs', {
        params: { experimentId },
        body: { name: '', params: { 'a#b': '1', ok: { nested: true } }, startTime: 'yesterday' },
      });
      const tooMany = await api.call('POST /experiments/{experimentId}/runs', {
        params: { experimentId },
        body: { params: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, i])) },
      });

      expect(response.status).toBe(400);
      expect(response.json.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['body.name', 'body.params.a#b', 'body.params.ok', 'body.startTime']),
      );
      expect(tooMany.json.errors).toEqual([
        { field: 'body.params', rule: 'too_big', message: 'at most 100 entries' },
      ]);
      expect(api.itemCount()).toBe(before);
    });

    it('refuses a run that would not fit in one DynamoDB item, naming the body', async () => {
      const api = setup();
      const experimentId = await api.createExperiment();
      const before = api.itemCount();

      const response = await api.call('POST /experiments/{experimentId}/runs', {
        params: { experimentId },
        body: {
          params: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, 'x'.repeat(6000)])),
        },
      });

      expect(response.status).toBe(400);
      expect(response.json.errors).toEqual([
        { field: 'body', rule: 'run_size', message: expect.stringContaining('at most 350000') },
      ]);
      expect(api.itemCount()).toBe(before);
    });

    it('answers 404 for an unknown run', async () => {
      const api = setup();

      const response = await api.call('GET /runs/{runId}', { params: { runId: UNKNOWN_ID } });

      expect(response).toMatchObject({ status: 404, json: { detail: `No run ${UNKNOWN_ID}.` } });
    });
  });

  describe('params and tags', () => {
    it('logs new params and takes the value a param holds again as a no-op', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment(), { params: { max_depth: 5 } });
      api.advance(1000);

      const logged = await api.call('POST /runs/{runId}/params', {
        params: { runId },
        body: { params: { lr: 0.1 } },
      });
      api.advance(1000);
      const again = await api.call('POST /runs/{runId}/params', {
        params: { runId },
        body: { params: { max_depth: '5', lr: '0.1' } },
      });

      expect(logged.json.params).toEqual({ max_depth: '5', lr: '0.1' });
      expect(again.status).toBe(200);
      expect(again.json.updatedAt).toBe(logged.json.updatedAt);
    });

    it('refuses another value for a logged param with 409 naming it, writing none of the request', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment(), { params: { max_depth: 5 } });

      const response = await api.call('POST /runs/{runId}/params', {
        params: { runId },
        body: { params: { max_depth: 6, optimizer: 'adam' } },
      });
      const run = await api.call('GET /runs/{runId}', { params: { runId } });

      expect(response.status).toBe(409);
      expect(response.json.detail).toContain('"max_depth"');
      expect(run.json.params).toEqual({ max_depth: '5' });
    });

    it('overwrites tags', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment(), {
        tags: { team: 'fraud', stage: 'dev' },
      });

      const response = await api.call('POST /runs/{runId}/tags', {
        params: { runId },
        body: { tags: { stage: 'prod' } },
      });

      expect(response.json.tags).toEqual({ team: 'fraud', stage: 'prod' });
    });
  });

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

  describe('finishing', () => {
    it('ends a RUNNING run with its status, at the time of the request by default', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      api.advance(60_000);

      const response = await api.call('POST /runs/{runId}/finish', {
        params: { runId },
        body: { status: 'FINISHED' },
      });

      expect(response.json).toMatchObject({
        status: 'FINISHED',
        endTime: new Date(T0 + 60_000).toISOString(),
      });
    });

    it('takes the same final status again as a no-op, and refuses another with 409', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());
      const finished = await api.call('POST /runs/{runId}/finish', {
        params: { runId },
        body: { status: 'FAILED' },
      });
      api.advance(1000);

      const again = await api.call('POST /runs/{runId}/finish', {
        params: { runId },
        body: { status: 'FAILED' },
      });
      const other = await api.call('POST /runs/{runId}/finish', {
        params: { runId },
        body: { status: 'FINISHED' },
      });

      expect(again.json).toEqual(finished.json);
      expect(other.status).toBe(409);
      expect(other.json.detail).toContain('ended as FAILED already');
    });

    it('refuses an end before the start and a status that is not final', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());

      const early = await api.call('POST /runs/{runId}/finish', {
        params: { runId },
        body: { status: 'FINISHED', endTime: new Date(T0 - 1).toISOString() },
      });
      const running = await api.call('POST /runs/{runId}/finish', {
        params: { runId },
        body: { status: 'RUNNING' },
      });
      const run = await api.call('GET /runs/{runId}', { params: { runId } });

      expect(early.json.errors).toEqual([
        { field: 'body.endTime', rule: 'after_start', message: 'must not be before the run started' },
      ]);
      expect(running.json.errors[0]).toMatchObject({ field: 'body.status', rule: 'invalid_value' });
      expect(run.json.status).toBe('RUNNING');
    });
  });

  describe('model versions', () => {
    it('links a model version to the run once', async () => {
      const api = setup();
      const runId = await api.createRun(await api.createExperiment());

      await api.call('POST /runs/{runId}/model-versions', {
        params: { runId },
        body: { model: 'fraud-model', version: 3 },
      });
      const again = await api.call('POST /runs/{runId}/model-versions', {
        params: { runId },
        body: { model: 'fraud-model', version: 3 },
      });

      expect(again.json.modelVersions).toEqual([
        { model: 'fraud-model', version: 3, linkedAt: new Date(T0).toISOString() },
      ]);
    });

    it('answers 404 for a version the registry does not know, and 400 for a bad model name', async () => {
      const api = setup({ modelVersionExists: async (model, version) => model === 'known' && version === 1 });
      const runId = await api.createRun(await api.createExperiment());

      const unknown = await api.call('POST /runs/{runId}/model-versions', {
        params: { runId },
        body: { model: 'known', version: 2 },
      });
      const bad = await api.call('POST /runs/{runId}/model-versions', {
        params: { runId },
        body: { model: '-x', version: 0 },
      });
      const run = await api.call('GET /runs/{runId}', { params: { runId } });

      expect(unknown.status).toBe(404);
      expect(bad.json.errors.map((e: { field: string }) => e.field)).toEqual(['body.model', 'body.version']);
      expect(run.json.modelVersions).toEqual([]);
    });
  });

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
