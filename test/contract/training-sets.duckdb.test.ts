import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeParquet } from '../../lambdas/features/offline/parquet';
import {
  createTrainingSet,
  getTrainingSet,
  type TrainingSetDeps,
  trainingSetRows,
} from '../../lambdas/features/training-sets/training-sets';
import { DuckDbTrainingSetEngine } from '../../lambdas/shared/adapters/embedded/duckdb-training-set-engine';
import { FileObjectStore } from '../../lambdas/shared/adapters/embedded/file-object-store';
import { FileOfflineSink } from '../../lambdas/shared/adapters/embedded/file-offline-sink';
import { NotFoundError, ValidationError } from '../../lambdas/shared/errors';
import { sortableIdGenerator } from '../../lambdas/shared/ids';
import { type ManualClock, manualClock } from '../support/clock';
import { feature, featureGroup } from '../support/feature-groups';

const users = featureGroup({
  name: 'users',
  entityKeys: ['user_id'],
  features: [feature('age', 'int'), feature('score', 'float')],
  ttlSeconds: 86_400,
});
const merchants = featureGroup({
  name: 'merchants',
  entityKeys: ['merchant_id'],
  eventTimeField: 'ts',
  features: [feature('risk', 'string'), feature('open', 'bool')],
});

let root: string;
let deps: TrainingSetDeps;
let sink: FileOfflineSink;
let engine: DuckDbTrainingSetEngine;
let clock: ManualClock;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'training-sets-'));
  clock = manualClock('2026-02-01T00:00:00.000Z');
  const objects = new FileObjectStore({ root: join(root, 'objects'), clock });
  engine = new DuckDbTrainingSetEngine({ root, objects });
  sink = new FileOfflineSink({ root, clock });
  deps = { objects, engine, clock, newId: sortableIdGenerator(clock) };
});
afterEach(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

const rowsOf = async (id: string) => {
  const lines: string[] = [];
  for await (const line of trainingSetRows(deps, id)) lines.push(line);
  return lines;
};

describe('training sets on DuckDB', () => {
  it('joins each row to the latest values at or before its time, within the TTL, carrying its columns', async () => {
    await sink.append(users, [
      { user_id: 'u1', event_time: '2026-01-01T00:00:00.000Z', age: 30, score: 0.5 },
      { user_id: 'u1', event_time: '2026-01-02T00:00:00.000Z', age: 31, score: 0.6 },
      { user_id: 'u2', event_time: '2026-01-01T00:00:00.000Z', age: 40, score: null },
    ]);
    await sink.append(merchants, [
      { merchant_id: 7, ts: '2025-06-01T00:00:00.000Z', risk: 'low', open: true },
    ]);

    const set = await createTrainingSet(deps, {
      features: [
        { group: users, feature: 'score' },
        { group: merchants, feature: 'risk' },
        { group: users, feature: 'age' },
      ],
      entities: [
        { user_id: 'u1', merchant_id: 7, eventTime: '2026-01-01T12:00:00Z', label: 1 },
        { user_id: 'u1', merchant_id: 7, eventTime: '2026-01-02T00:00:00Z', label: 0 },
        { user_id: 'u2', merchant_id: 8, eventTime: '2026-01-02T00:00:00.001Z', label: 1 },
        { user_id: 'u9', eventTime: '2026-01-03T00:00:00+01:00', label: 0.5, note: 'unknown user' },
        { user_id: 'u2', merchant_id: 7, eventTime: '2026-01-02T00:00:00Z', label: 1 },
      ],
    });

    expect(set.schema).toEqual([
      { name: 'user_id', type: 'string' },
      { name: 'merchant_id', type: 'int' },
      { name: 'eventTime', type: 'string' },
      { name: 'label', type: 'float' },
      { name: 'note', type: 'string' },
      { name: 'users__score', type: 'float' },
      { name: 'merchants__risk', type: 'string' },
      { name: 'users__age', type: 'int' },
    ]);
    expect((await rowsOf(set.id)).map((line) => JSON.parse(line))).toEqual([
      {
        user_id: 'u1',
        merchant_id: 7,
        eventTime: '2026-01-01T12:00:00Z',
        label: 1,
        note: null,
        users__score: 0.5,
        merchants__risk: 'low',
        users__age: 30,
      },
      {
        user_id: 'u1',
        merchant_id: 7,
        eventTime: '2026-01-02T00:00:00Z',
        label: 0,
        note: null,
        users__score: 0.6,
        merchants__risk: 'low',
        users__age: 31,
      },
      // one millisecond past the TTL: expired, so null
      {
        user_id: 'u2',
        merchant_id: 8,
        eventTime: '2026-01-02T00:00:00.001Z',
        label: 1,
        note: null,
        users__score: null,
        merchants__risk: null,
        users__age: null,
      },
      {
        user_id: 'u9',
        merchant_id: null,
        eventTime: '2026-01-03T00:00:00+01:00',
        label: 0.5,
        note: 'unknown user',
        users__score: null,
        merchants__risk: null,
        users__age: null,
      },
      // exactly the TTL old: still present
      {
        user_id: 'u2',
        merchant_id: 7,
        eventTime: '2026-01-02T00:00:00Z',
        label: 1,
        note: null,
        users__score: null,
        merchants__risk: 'low',
        users__age: 40,
      },
    ]);
    expect(set).toMatchObject({
      rowCount: 5,
      featureGroups: [
        { name: 'users', version: 1 },
        { name: 'merchants', version: 1 },
      ],
      features: ['users:score', 'merchants:risk', 'users:age'],
      uri: deps.objects.uriOf(`training-sets/${set.id}/data.parquet`),
    });
  });

  it("reads only the event-date partitions some row's window reaches, and answers as before", async () => {
    await sink.append(users, [
      { user_id: 'u1', event_time: '2026-01-04T23:00:00.000Z', age: 30, score: 0.5 },
      { user_id: 'u1', event_time: '2026-01-10T00:00:00.000Z', age: 31, score: 0.6 },
    ]);
    // An unreadable file on a date after every window: reading it fails the query. (Not one before the
    // windows: DuckDB opens the first file of its list for the schema, whatever the filter says.)
    const folder = join(root, 'offline', 'users', 'v1', 'event_date=2026-01-11');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'broken.parquet'), 'not parquet');
    const entities = [
      { user_id: 'u1', eventTime: '2026-01-05T12:00:00Z' },
      { user_id: 'u1', eventTime: '2026-01-10T12:00:00Z' },
    ];

    const set = await createTrainingSet(deps, { features: [{ group: users, feature: 'age' }], entities });
    const reaching = createTrainingSet(deps, {
      features: [{ group: users, feature: 'age' }],
      entities: [...entities, { user_id: 'u1', eventTime: '2026-01-11T00:00:01Z' }],
    });

    expect((await rowsOf(set.id)).map((line) => JSON.parse(line).users__age)).toEqual([30, 31]);
    await expect(reaching).rejects.toThrow(/broken\.parquet|parquet/i);
  });

  it('gives the same sha256 for the same request, and it is the SHA-256 of the rows it streams', async () => {
    await sink.append(users, [
      { user_id: 'u1', event_time: '2026-01-01T00:00:00.000Z', age: 30, score: 0.5 },
    ]);
    const request = {
      features: [{ group: users, feature: 'age' }],
      entities: [{ user_id: 'u1', eventTime: '2026-01-01T01:00:00Z' }],
    };

    const first = await createTrainingSet(deps, request);
    clock.set('2026-03-01T00:00:00.000Z');
    const second = await createTrainingSet(deps, request);

    expect(second.id).not.toBe(first.id);
    expect(second.sha256).toBe(first.sha256);
    expect(
      createHash('sha256')
        .update((await rowsOf(first.id)).join(''))
        .digest('hex'),
    ).toBe(first.sha256);
    expect(await getTrainingSet(deps, first.id)).toEqual(first);
  });

  it('writes the data as Parquet beside the manifest', async () => {
    await sink.append(users, [
      { user_id: 'u1', event_time: '2026-01-01T00:00:00.000Z', age: 30, score: 0.5 },
    ]);

    const set = await createTrainingSet(deps, {
      features: [{ group: users, feature: 'age' }],
      entities: [{ user_id: 'u1', eventTime: '2026-01-01T01:00:00Z' }],
    });
    const data = await deps.objects.get(`training-sets/${set.id}/data.parquet`);

    expect(await decodeParquet(data!.body)).toEqual([
      { user_id: 'u1', eventTime: '2026-01-01T01:00:00Z', users__age: 30n },
    ]);
  });

  it('reads entity rows from a CSV or JSONL object named by its URI', async () => {
    await sink.append(users, [
      { user_id: '42', event_time: '2026-01-01T00:00:00.000Z', age: 30, score: 0.5 },
    ]);
    await deps.objects.put(
      'uploads/entities.csv',
      'user_id,eventTime,label\n42,2026-01-01T01:00:00Z,1\n007,2026-01-01T01:00:00Z,\n',
    );
    await deps.objects.put('uploads/e.jsonl', '{"user_id":42,"eventTime":"2026-01-01T01:00:00Z"}\n\n');

    const csv = await createTrainingSet(deps, {
      features: [{ group: users, feature: 'age' }],
      entities: { uri: deps.objects.uriOf('uploads/entities.csv') },
    });
    const jsonl = await createTrainingSet(deps, {
      features: [{ group: users, feature: 'age' }],
      entities: { uri: deps.objects.uriOf('uploads/e.jsonl') },
    });

    expect(csv.schema.map((column) => column.type)).toEqual(['string', 'string', 'int', 'int']);
    expect((await rowsOf(csv.id)).join('')).toBe(
      '{"user_id":"42","eventTime":"2026-01-01T01:00:00Z","label":1,"users__age":30}\n' +
        '{"user_id":"007","eventTime":"2026-01-01T01:00:00Z","label":null,"users__age":null}\n',
    );
    expect((await rowsOf(jsonl.id)).join('')).toBe(
      '{"user_id":42,"eventTime":"2026-01-01T01:00:00Z","users__age":30}\n',
    );
  });

  it('carries columns of any name unchanged, case and quotes included', async () => {
    await sink.append(users, [
      { user_id: 'u1', event_time: '2026-01-01T00:00:00.000Z', age: 30, score: 0.5 },
    ]);
    const row = {
      user_id: 'u1',
      eventTime: '2026-01-01T01:00:00Z',
      'Label "y"': true,
      'ünï cödé': 'x',
      select: -0.25,
    };

    const set = await createTrainingSet(deps, {
      features: [{ group: users, feature: 'age' }],
      entities: [row],
    });

    expect((await rowsOf(set.id)).map((line) => JSON.parse(line))).toEqual([{ ...row, users__age: 30 }]);
  });

  it('reads every version of a storage run: later records for a pinned version, nulls for added features', async () => {
    const v2 = { ...users, version: 2, features: [...users.features, feature('city', 'string')] };
    const entities = [
      { user_id: 'u1', eventTime: '2026-01-01T12:00:00Z' },
      { user_id: 'u2', eventTime: '2026-01-01T12:00:00Z' },
    ];
    await sink.append(users, [
      { user_id: 'u1', event_time: '2026-01-01T00:00:00.000Z', age: 30, score: 0.5 },
    ]);
    const onlyV1Files = await createTrainingSet(deps, {
      features: [
        { group: v2, feature: 'age' },
        { group: v2, feature: 'city' },
      ],
      entities,
      storage: [users],
    });
    await sink.append(v2, [
      { user_id: 'u1', event_time: '2026-01-01T06:00:00.000Z', age: 31, score: 0.5, city: 'Oslo' },
      { user_id: 'u2', event_time: '2026-01-01T06:00:00.000Z', age: 40, score: null, city: null },
    ]);

    const pinned = await createTrainingSet(deps, {
      features: [{ group: users, feature: 'age' }],
      entities,
      storage: [users, v2],
    });
    const latest = await createTrainingSet(deps, {
      features: [{ group: v2, feature: 'city' }],
      entities: [{ user_id: 'u1', eventTime: '2026-01-01T03:00:00Z' }, ...entities],
      storage: [users],
    });
    const ownFilesOnly = await createTrainingSet(deps, {
      features: [{ group: users, feature: 'age' }],
      entities,
    });

    const values = async (id: string) =>
      (await rowsOf(id)).map((line) => Object.values(JSON.parse(line)).slice(2));
    expect(await values(onlyV1Files.id)).toEqual([
      [30, null],
      [null, null],
    ]);
    expect(await values(pinned.id)).toEqual([[31], [40]]);
    expect(await values(latest.id)).toEqual([[null], ['Oslo'], [null]]);
    expect(await values(ownFilesOnly.id)).toEqual([[30], [null]]);
    expect(pinned.featureGroups).toEqual([{ name: 'users', version: 1 }]);
  });

  it('refuses storage versions whose keys or types differ', async () => {
    const other = { ...users, version: 2, features: [feature('age', 'string')] };

    await expect(
      createTrainingSet(deps, {
        features: [{ group: users, feature: 'age' }],
        entities: [{ user_id: 'u1', eventTime: '2026-01-01T12:00:00Z' }],
        storage: [other],
      }),
    ).rejects.toThrow('users v2 does not share storage with v1');
  });

  it('answers with nulls for a group that has no data yet', async () => {
    const set = await createTrainingSet(deps, {
      features: [{ group: merchants, feature: 'open' }],
      entities: [{ merchant_id: 'm1', eventTime: '2026-01-01T01:00:00Z' }],
    });

    expect(await rowsOf(set.id)).toEqual([
      '{"merchant_id":"m1","eventTime":"2026-01-01T01:00:00Z","merchants__open":null}\n',
    ]);
  });

  it('refuses requests it cannot answer, naming the field, and stores nothing', async () => {
    const refusal = async (input: Parameters<typeof createTrainingSet>[1]) => {
      const error = await createTrainingSet(deps, input).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues.map((issue) => `${issue.field} ${issue.rule}`);
    };
    const age = [{ group: users, feature: 'age' }];

    expect(
      await refusal({
        features: [{ group: users, feature: 'nope' }],
        entities: [{ user_id: 'u', eventTime: '2026-01-01T00:00:00Z' }],
      }),
    ).toEqual(['body.features[0] unknown_feature']);
    expect(
      await refusal({ features: age, entities: [{ user: 'u', eventTime: '2026-01-01T00:00:00Z' }] }),
    ).toEqual(['body.entities missing_entity_key']);
    expect(
      await refusal({ features: age, entities: [{ user_id: 'u', eventTime: '2026-01-01 00:00' }] }),
    ).toEqual(['body.entities[0].eventTime invalid_format']);
    expect(
      await refusal({
        features: age,
        entities: [{ user_id: 'u', eventTime: '2026-01-01T00:00:00Z', users__AGE: 1 }],
      }),
    ).toEqual(['body.features duplicate_column']);
    expect(await refusal({ features: age, entities: { uri: 'file:///etc/passwd' } })).toEqual([
      'body.entitiesUri not_found',
    ]);
    expect(await refusal({ features: [], entities: [] })).toEqual(['body.features too_small']);
    expect((await deps.objects.list('training-sets/')).items).toEqual([]);
  });

  it('answers NotFoundError for an unknown or malformed id', async () => {
    await expect(getTrainingSet(deps, '01KB0000000000000000000000')).rejects.toBeInstanceOf(NotFoundError);
    await expect(getTrainingSet(deps, '../../etc')).rejects.toBeInstanceOf(NotFoundError);
    await expect(rowsOf('01KB0000000000000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });
});
