import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../support/http';
import { tempLocalPlatform } from '../support/local-platform';

/** Ingest through the API, then a point-in-time training set from the offline store (Parquet + DuckDB). */
describe('training sets on the local platform', () => {
  const local = tempLocalPlatform('mlops-training-');
  const post = (path: string, body: unknown) => local.sendJson(path, body);

  beforeAll(async () => {
    await post('/feature-groups', {
      name: 'card_stats',
      description: 'spend per card',
      owner: 'risk',
      entityKeys: ['card_id'],
      eventTimeField: 'event_time',
      ttlSeconds: 2 * 24 * 3600,
      features: [{ name: 'spend', type: 'float' }],
    });
    await post('/feature-groups/card_stats/records', {
      records: [
        { card_id: 'c1', event_time: '2026-11-20T00:00:00Z', spend: 10 },
        { card_id: 'c1', event_time: '2026-11-22T00:00:00Z', spend: 20 },
        { card_id: 'c2', event_time: '2026-11-21T00:00:00Z', spend: 5 },
      ],
    });
  });

  const request = {
    features: ['card_stats:spend'],
    entities: [
      { card_id: 'c1', eventTime: '2026-11-21T12:00:00Z', label: 0 },
      { card_id: 'c1', eventTime: '2026-11-23T00:00:00Z', label: 1 },
      { card_id: 'c2', eventTime: '2026-11-25T00:00:00Z', label: 0 },
      { card_id: 'c9', eventTime: '2026-11-25T00:00:00Z', label: 1 },
    ],
  };

  it('joins the latest value at or before each row time, within TTL, carrying every entity column', async () => {
    const created = await post('/training-sets', request);
    const set = await readJson(created);
    const rows = await fetch(`${local.platform.url}/training-sets/${set.id}/rows`);
    const text = await rows.text();

    expect(created.status).toBe(201);
    expect(set).toMatchObject({ rowCount: 4, featureGroups: [{ name: 'card_stats', version: 1 }] });
    expect(rows.headers.get('content-type')).toBe('application/x-ndjson');
    expect(
      text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { card_id: 'c1', eventTime: '2026-11-21T12:00:00Z', label: 0, card_stats__spend: 10 },
      { card_id: 'c1', eventTime: '2026-11-23T00:00:00Z', label: 1, card_stats__spend: 20 },
      // c2's only value is 4 days old at the row time: beyond the 2-day TTL, so null.
      { card_id: 'c2', eventTime: '2026-11-25T00:00:00Z', label: 0, card_stats__spend: null },
      { card_id: 'c9', eventTime: '2026-11-25T00:00:00Z', label: 1, card_stats__spend: null },
    ]);
    expect(createHash('sha256').update(text).digest('hex')).toBe(set.sha256);
  });

  it('gives the same sha256 for the same request, and a 400 naming an unknown feature', async () => {
    const first = await readJson(await post('/training-sets', request));
    const second = await readJson(await post('/training-sets', request));
    const unknown = await post('/training-sets', { ...request, features: ['card_stats:nope'] });

    expect(second.sha256).toBe(first.sha256);
    expect(second.id).not.toBe(first.id);
    expect(unknown.status).toBe(400);
    expect((await readJson(unknown)).errors[0]).toMatchObject({ field: 'body.features.0' });
  });
});
