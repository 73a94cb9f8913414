import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { pointInTimeSql } from '../../../../../lambdas/features/offline/point-in-time.sql';
import { AthenaTrainingSetEngine } from '../../../../../lambdas/shared/adapters/aws/athena-training-set-engine';
import { S3ObjectStore } from '../../../../../lambdas/shared/adapters/aws/s3-object-store';
import type { TrainingSetPlan } from '../../../../../lambdas/shared/ports/training-set-engine';
import { manualClock } from '../../../../support/clock';
import { feature, featureGroup } from '../../../../support/feature-groups';

const users = featureGroup({
  name: 'users',
  features: [feature('age', 'int'), feature('score', 'float')],
  ttlSeconds: 60,
});
const plan: TrainingSetPlan = {
  entitiesKey: 'training-sets/01KB000000000000000000000A/entities/entities.parquet',
  entityColumns: [
    { name: '__mlops_c0', type: 'string' },
    { name: '__mlops_c1', type: 'int' },
  ],
  keyNames: ['user_id'],
  groups: [users],
  features: [
    { group: 0, feature: 'score' },
    { group: 0, feature: 'age' },
  ],
};

describe('AthenaTrainingSetEngine', () => {
  const athena = mockClient(AthenaClient);
  let states: string[];
  const engine = () =>
    new AthenaTrainingSetEngine({
      client: new AthenaClient({}),
      objects: new S3ObjectStore({ bucketName: 'platform-bucket', clock: manualClock() }),
      database: 'mlops_dev',
      workGroup: 'mlops',
      sleep: async () => {},
    });
  const queries = () =>
    athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input.QueryString);

  beforeEach(() => {
    athena.reset();
    states = [];
    let n = 0;
    athena.on(StartQueryExecutionCommand).callsFake(() => ({ QueryExecutionId: `q${++n}` }));
    athena.on(GetQueryExecutionCommand).callsFake(() => ({
      QueryExecution: { Status: { State: states.shift() ?? 'SUCCEEDED' } },
    }));
    const columns = [
      { Name: 'c0', Type: 'varchar' },
      { Name: 'c1', Type: 'bigint' },
      { Name: 'c2', Type: 'double' },
      { Name: 'c3', Type: 'bigint' },
    ];
    athena
      .on(GetQueryResultsCommand, { NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [
            {
              Data: [
                { VarCharValue: 'c0' },
                { VarCharValue: 'c1' },
                { VarCharValue: 'c2' },
                { VarCharValue: 'c3' },
              ],
            },
            {
              Data: [
                { VarCharValue: 'u1' },
                { VarCharValue: '1' },
                { VarCharValue: '0.5' },
                { VarCharValue: '30' },
              ],
            },
          ],
        },
        NextToken: 'page-2',
      })
      .on(GetQueryResultsCommand, { NextToken: 'page-2' })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns },
          Rows: [{ Data: [{ VarCharValue: '' }, {}, { VarCharValue: '1.0E-5' }, {}] }],
        },
      });
  });

  it('creates the group and entities tables, runs the shared SQL, drops the entities table', async () => {
    const rows = await engine().pointInTime(plan);

    const [groupDdl, entitiesDdl, select, drop] = queries();
    expect(groupDdl).toContain(
      "CREATE EXTERNAL TABLE IF NOT EXISTS `mlops_dev`.`feature_group_users_v1` (`user_id` string, `event_time` timestamp, `age` bigint, `score` double, `ingested_at` timestamp, `ingest_batch` string, `ingest_row` bigint) PARTITIONED BY (`event_date` string) STORED AS PARQUET LOCATION 's3://platform-bucket/offline/users/v1/'",
    );
    // Athena fills in ${event_date} itself (partition projection); it is not a JavaScript placeholder.
    const template = ['s3://platform-bucket/offline/users/v1/event_date=', '$', '{event_date}/'].join('');
    expect(groupDdl).toContain(`'storage.location.template'='${template}'`);
    expect(entitiesDdl).toBe(
      "CREATE EXTERNAL TABLE `mlops_dev`.`entities_training_sets_01kb000000000000000000000a_entities_` (`__mlops_c0` string, `__mlops_c1` bigint, `__mlops_row` bigint, `__mlops_time` timestamp, `__mlops_key_0` string) STORED AS PARQUET LOCATION 's3://platform-bucket/training-sets/01KB000000000000000000000A/entities/'",
    );
    expect(select).toBe(
      pointInTimeSql({
        entitiesRelation: '"mlops_dev"."entities_training_sets_01kb000000000000000000000a_entities_"',
        entityColumns: ['__mlops_c0', '__mlops_c1'],
        keyNames: ['user_id'],
        groups: [{ group: users, relation: '"mlops_dev"."feature_group_users_v1"' }],
        features: plan.features,
      }),
    );
    expect(drop).toBe(
      'DROP TABLE IF EXISTS `mlops_dev`.`entities_training_sets_01kb000000000000000000000a_entities_`',
    );
    expect(rows).toEqual([
      ['u1', 1n, 0.5, 30n],
      ['', null, 1e-5, null],
    ]);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).toMatchObject({
      WorkGroup: 'mlops',
      QueryExecutionContext: { Database: 'mlops_dev' },
    });
  });

  it('reads a group from every version of its storage run as a UNION ALL, nulls for absent features', async () => {
    const v2 = { ...users, version: 2, features: [...users.features, feature('city', 'string')] };

    await engine().pointInTime({ ...plan, groups: [v2], sources: [[v2, users]] });

    const select = queries()[3];
    expect(
      queries()
        .slice(0, 2)
        .map((sql) => sql?.match(/`feature_group_users_v\d`/)?.[0]),
    ).toEqual(['`feature_group_users_v2`', '`feature_group_users_v1`']);
    expect(select).toContain(
      '"h0" AS (SELECT * FROM (SELECT * FROM (SELECT "user_id", "event_time", "age", "score", "city", "ingested_at", "ingest_batch", "ingest_row", "event_date" FROM "mlops_dev"."feature_group_users_v2" AS "source") AS "p" UNION ALL ' +
        'SELECT * FROM (SELECT "user_id", "event_time", "age", "score", CAST(NULL AS VARCHAR) AS "city", "ingested_at", "ingest_batch", "ingest_row", "event_date" FROM "mlops_dev"."feature_group_users_v1" AS "source") AS "p")',
    );
  });

  describe('partition pruning', () => {
    const daily = featureGroup({ name: 'daily', features: [feature('n', 'int')], ttlSeconds: 2 * 86_400 });
    const forever = featureGroup({ name: 'forever', features: [feature('m', 'int')] });
    const pruned = {
      ...plan,
      groups: [users, daily, forever],
      features: [
        { group: 0, feature: 'age' },
        { group: 1, feature: 'n' },
        { group: 2, feature: 'm' },
      ],
      entityTimes: {
        earliestMs: Date.parse('2026-03-10T00:00:30.000Z'),
        latestMs: Date.parse('2026-03-20T23:59:59.999Z'),
      },
    };
    const scanOf = (sql: string | undefined, g: number) =>
      sql?.match(new RegExp(`"h${g}" AS \\(.*\\),`))?.[0];

    it('scans each group only from the earliest entity time less its TTL to the latest entity time', async () => {
      await engine().pointInTime(pruned);

      const select = queries().find((sql) => sql?.startsWith('WITH'));
      // users: TTL 60 s reaches back over midnight into 2026-03-09; daily: two days back.
      expect(scanOf(select, 0)).toBe(
        `"h0" AS (SELECT * FROM "mlops_dev"."feature_group_users_v1" WHERE "event_date" >= '2026-03-09' AND "event_date" <= '2026-03-20'),`,
      );
      expect(scanOf(select, 1)).toBe(
        `"h1" AS (SELECT * FROM "mlops_dev"."feature_group_daily_v1" WHERE "event_date" >= '2026-03-08' AND "event_date" <= '2026-03-20'),`,
      );
      // No TTL: any earlier record may still be the latest one, so only the upper bound holds.
      expect(scanOf(select, 2)).toBe(
        `"h2" AS (SELECT * FROM "mlops_dev"."feature_group_forever_v1" WHERE "event_date" <= '2026-03-20'),`,
      );
    });

    it('keeps the lower bound on the same day when the TTL does not cross midnight', async () => {
      await engine().pointInTime({
        ...pruned,
        entityTimes: {
          earliestMs: Date.parse('2026-03-10T00:01:00.000Z'),
          latestMs: pruned.entityTimes.latestMs,
        },
      });

      const select = queries().find((sql) => sql?.startsWith('WITH'));
      expect(scanOf(select, 0)).toContain(
        `WHERE "event_date" >= '2026-03-10' AND "event_date" <= '2026-03-20'`,
      );
    });

    it('reads every partition when the plan gives no entity times', async () => {
      await engine().pointInTime(plan);

      expect(queries().find((sql) => sql?.startsWith('WITH'))).not.toContain('event_date');
    });
  });

  it('polls until the query ends, and creates a group table only once per engine', async () => {
    const athenaEngine = engine();
    states = ['QUEUED', 'RUNNING', 'SUCCEEDED'];

    await athenaEngine.pointInTime(plan);
    await athenaEngine.pointInTime(plan);

    expect(queries().filter((sql) => sql?.includes('feature_group_users_v1` ('))).toHaveLength(1);
    expect(athena.commandCalls(GetQueryExecutionCommand).length).toBe(queries().length + 2);
  });

  it('reports a failed query with its reason, and still drops the entities table', async () => {
    athena.on(GetQueryExecutionCommand).callsFake((input: { QueryExecutionId: string }) => ({
      QueryExecution: {
        Status:
          input.QueryExecutionId === 'q3'
            ? { State: 'FAILED', StateChangeReason: 'COLUMN_NOT_FOUND' }
            : { State: 'SUCCEEDED' },
      },
    }));

    await expect(engine().pointInTime(plan)).rejects.toThrow('Athena query q3 FAILED: COLUMN_NOT_FOUND');
    expect(queries().at(-1)).toMatch(/^DROP TABLE IF EXISTS/);
  });
});
