import { describe, expect, it } from 'vitest';
import { T0, ULID, UNKNOWN_ID, useExperimentsApis } from '../../support/experiments-api';

describe('experiments API', () => {
  const setup = useExperimentsApis();

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
});
