import { describe, expect, it } from 'vitest';
import { T0, ULID, UNKNOWN_ID, useExperimentsApis } from '../../support/experiments-api';

describe('experiments API', () => {
  const setup = useExperimentsApis();

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
});
