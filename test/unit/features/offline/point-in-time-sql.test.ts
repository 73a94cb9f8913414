import { describe, expect, it } from 'vitest';
import {
  emptyRelation,
  pointInTimeSql,
  quoteIdentifier,
} from '../../../../lambdas/features/offline/point-in-time.sql';
import { feature, featureGroup } from '../../../support/feature-groups';

const query = (ttlSeconds?: number) => ({
  entitiesRelation: 'entities_table',
  entityColumns: ['user_id', 'odd "name"', 'eventTime'],
  keyNames: ['user_id'],
  groups: [
    {
      group: featureGroup({
        name: 'g',
        features: [feature('a', 'float'), feature('b', 'int')],
        ...(ttlSeconds ? { ttlSeconds } : {}),
      }),
      relation: 'g_table',
    },
  ],
  features: [{ group: 0, feature: 'b' }],
});

describe('point-in-time SQL', () => {
  it('quotes identifiers by doubling quotes, and refuses control characters', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(() => quoteIdentifier('a\u0000b')).toThrow(/not a usable column name/);
    expect(() => quoteIdentifier('')).toThrow(/not a usable column name/);
  });

  it('aliases output columns by position and orders by the entity row', () => {
    const sql = pointInTimeSql(query());

    expect(sql).toContain('e."odd ""name""" AS "c1"');
    expect(sql).toContain('"m0"."v0" AS "c3"');
    expect(sql).toMatch(/ORDER BY e\."__mlops_row"$/);
    expect(sql).not.toContain('INTERVAL');
  });

  it('writes the TTL as whole days plus the remaining seconds', () => {
    expect(pointInTimeSql(query(86_400 * 3650))).toContain(`- INTERVAL '3650' DAY\n`);
    expect(pointInTimeSql(query(90_061))).toContain(`- INTERVAL '1' DAY - INTERVAL '3661' SECOND`);
    expect(pointInTimeSql(query(59))).toContain(`"__mlops_time" - INTERVAL '59' SECOND`);
  });

  it('refuses a TTL that is not a positive whole number of seconds', () => {
    expect(() => pointInTimeSql(query(1.5))).toThrow(/positive integer/);
  });

  it('spells an empty relation with typed nulls', () => {
    expect(
      emptyRelation([
        { name: 'k', type: 'string' },
        { name: 't', type: 'timestamp' },
      ]),
    ).toBe(
      '(SELECT CAST(NULL AS VARCHAR) AS "k", CAST(NULL AS TIMESTAMP) AS "t" FROM (VALUES (1)) AS "none"("x") WHERE 1 = 0)',
    );
  });
});
