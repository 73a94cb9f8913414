import { describe, expect, it } from 'vitest';
import { decodeGroupHead, decodeOnlineRow } from '../../../lambdas/features/records';
import { decodeMonitor } from '../../../lambdas/monitoring/records';
import { decodeExecution } from '../../../lambdas/pipelines/records';
import { modelKey } from '../../../lambdas/registry/keys';
import { decodeModel, decodeVersion } from '../../../lambdas/registry/records';
import { StoredShapeError } from '../../../lambdas/shared/errors';
import { problemFromError } from '../../../lambdas/shared/http/problem';
import { apiPage, mapPage } from '../../../lambdas/shared/page';
import type { Item, JsonObject } from '../../../lambdas/shared/ports/metadata-store';
import { registryFixture } from '../../support/registry';
import { sqliteStores } from '../../support/stores';

const item = (pk: string, sk: string, data: JsonObject): Item => ({ pk, sk, rev: 3, data });

const model: JsonObject = {
  name: 'churn',
  tags: { team: 'ds' },
  protectedAliases: ['champion'],
  latestVersion: 2,
  createdAt: '2026-11-28T10:00:00.000Z',
  createdBy: 'bob',
  updatedAt: '2026-11-28T10:00:00.000Z',
};

/** The error a decoder throws, for assertions on it. */
const failure = (decode: () => unknown): StoredShapeError => {
  try {
    decode();
  } catch (error) {
    if (error instanceof StoredShapeError) return error;
    throw error;
  }
  throw new Error('expected a StoredShapeError');
};

describe('stored shapes: one decoder per shape', () => {
  it('returns the stored record itself, and the revision with it', () => {
    const stored = item('registry#model#churn', 'model', model);

    expect(decodeModel(stored)).toBe(stored.data);
    expect(decodeModel.stored(stored)).toEqual({ rev: 3, data: model });
  });

  it('names the key and the field when a registry model has a field of the wrong type', () => {
    const error = failure(() =>
      decodeModel(item('registry#model#churn', 'model', { ...model, latestVersion: 'two' })),
    );

    expect(error.pk).toBe('registry#model#churn');
    expect(error.sk).toBe('model');
    expect(error.fields.map((f) => f.field)).toEqual(['data.latestVersion']);
    expect(error.message).toContain('pk=registry#model#churn sk=model');
    expect(error.message).toContain('data.latestVersion');
  });

  it('names a missing field of a model version, and every field at fault', () => {
    const error = failure(() =>
      decodeVersion(item('registry#model#churn', 'v#1', { model: 'churn', version: 1, status: 'Gone' })),
    );

    expect(error.fields.map((f) => f.field)).toEqual(
      expect.arrayContaining(['data.status', 'data.artifactUri', 'data.aliases']),
    );
  });

  it('names a nested field of a feature group head', () => {
    const error = failure(() =>
      decodeGroupHead(
        item('features#group#g', 'group', {
          name: 'g',
          latestVersion: 1,
          createdAt: 't',
          updatedAt: 't',
          latest: { name: 'g', version: '1' },
        }),
      ),
    );

    expect(error.sk).toBe('group');
    expect(error.fields.map((f) => f.field)).toContain('data.latest.version');
  });

  it('checks online rows by hand (no schema on the read path), naming the field', () => {
    const row = item('features#online#g@1#e', 'row', { eventMs: 1, values: '[1]' });

    expect(decodeOnlineRow(row)).toBe(row.data);
    const error = failure(() =>
      decodeOnlineRow(item('features#online#g@1#e', 'row', { eventMs: '1', values: '[1]' })),
    );
    expect(error.message).toContain('pk=features#online#g@1#e sk=row');
    expect(error.fields).toEqual([{ field: 'data.eventMs', message: 'expected a number' }]);
  });

  it('refuses a monitor and an execution whose shape changed', () => {
    expect(() =>
      decodeMonitor(item('monitoring#monitor#m', 'monitor', { name: 'm', kinds: 'data-drift' })),
    ).toThrow(/pk=monitoring#monitor#m sk=monitor .*data\.kinds/);
    expect(() => decodeExecution(item('pipelines#execution#e', 'execution', { executionId: 7 }))).toThrow(
      /data\.executionId/,
    );
  });

  it('is a server fault: a 500 problem that shows only the request id', () => {
    const error = failure(() => decodeModel(item('registry#model#churn', 'model', { ...model, tags: 1 })));

    const problem = problemFromError(error, 'req-1');

    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('registry#model');
    expect(JSON.stringify(problem)).not.toContain('tags');
  });
});

describe('stored shapes: through a handler', () => {
  const sqlite = sqliteStores();

  it('answers 500 without internals for a corrupt item, and other reads are unaffected', async () => {
    const { call, store } = registryFixture(sqlite);
    await call('POST /models', { body: { name: 'good' } });
    await call('POST /models', { body: { name: 'bad' } });
    const bad = await store.inner.get(modelKey('bad'));
    await store.inner.put({
      ...modelKey('bad'),
      data: { ...(bad?.data ?? {}), protectedAliases: 'champion' },
    });

    const corrupt = await call('GET /models/{name}', { params: { name: 'bad' } });
    const healthy = await call('GET /models/{name}', { params: { name: 'good' } });

    expect(corrupt.status).toBe(500);
    expect(corrupt.contentType).toBe('application/problem+json');
    expect(corrupt.json).toEqual({
      type: 'urn:mlops:problem:internal',
      title: 'Internal server error',
      status: 500,
      detail: `An unexpected error occurred. Quote request id ${corrupt.json.requestId} when reporting it.`,
      requestId: corrupt.json.requestId,
    });
    expect(JSON.stringify(corrupt.json)).not.toContain('protectedAliases');
    expect(healthy.status).toBe(200);
    expect(healthy.json).toMatchObject({ name: 'good', protectedAliases: ['champion'] });
  });
});

describe('the one page mapper', () => {
  it('maps items and keeps the cursor as nextToken only when another page has items', () => {
    expect(apiPage({ items: [1, 2], cursor: 'c' }, (n) => n * 10)).toEqual({
      items: [10, 20],
      nextToken: 'c',
    });
    expect(apiPage({ items: [1] })).toEqual({ items: [1] });
    expect(apiPage({ items: [], cursor: undefined })).toEqual({ items: [] });
    expect(mapPage({ items: ['a'], cursor: 'c' }, (s) => s.toUpperCase())).toEqual({
      items: ['A'],
      cursor: 'c',
    });
    expect(mapPage({ items: ['a'] }, (s) => s)).toEqual({ items: ['a'] });
  });
});
