import { describe, expect, it } from 'vitest';
import { objectKeyOfUri } from '../../../../lambdas/features/training-sets/training-sets';
import {
  entityTableOf,
  parseCsv,
  parseJsonLines,
} from '../../../../lambdas/features/training-sets/training-sets-entities';
import { S3ObjectStore } from '../../../../lambdas/shared/adapters/aws/s3-object-store';
import { FileObjectStore } from '../../../../lambdas/shared/adapters/embedded/file-object-store';
import { ValidationError } from '../../../../lambdas/shared/errors';
import { manualClock } from '../../../support/clock';

const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => `${issue.field} ${issue.rule}`);
    throw error;
  }
  return [];
};

describe('entity rows', () => {
  it('types columns once for all rows: ints widen to float, nulls fit anything, all-null is string', () => {
    const table = entityTableOf([
      { id: 1, eventTime: '2026-01-01T00:00:00Z', x: 1, n: null },
      { id: 2, eventTime: '2026-01-01T00:00:00.5+02:00', x: 1.5, flag: true },
    ]);

    expect(table.columns).toEqual([
      { name: 'id', type: 'int' },
      { name: 'eventTime', type: 'string' },
      { name: 'x', type: 'float' },
      { name: 'n', type: 'string' },
      { name: 'flag', type: 'bool' },
    ]);
    expect(table.rows[0]).toEqual({ id: 1, eventTime: '2026-01-01T00:00:00Z', x: 1, n: null, flag: null });
    expect(table.times).toEqual([Date.parse('2026-01-01T00:00:00Z'), Date.parse('2025-12-31T22:00:00.500Z')]);
  });

  it('names every row and column at fault', () => {
    expect(
      issuesOf(() =>
        entityTableOf([
          { id: 1, eventTime: '2026-01-01T00:00:00Z' },
          { id: 'two', eventTime: '2026-01-01' },
          { ID: 3, eventTime: '2026-01-01T00:00:00Z', __mlops_row: 1, nested: { a: 1 } },
          'not a row',
        ]),
      ),
    ).toEqual([
      'body.entities[1].id invalid_type',
      'body.entities[1].eventTime invalid_format',
      'body.entities[2].ID duplicate_column',
      'body.entities[2].__mlops_row reserved_column',
      'body.entities[2].nested invalid_type',
      'body.entities[3] invalid_type',
    ]);
    expect(issuesOf(() => entityTableOf([]))).toEqual(['body.entities too_small']);
  });

  it('reads CSV with quotes, CRLF and typed columns (ids with leading zeros stay strings)', () => {
    const rows = parseCsv(
      'id,zip,amount,ok,text\r\n1,007,1.5,true,"a, ""b"""\r\n2,12,,false,"two\nlines"\r\n',
      'f',
    );

    expect(rows).toEqual([
      { id: 1, zip: '007', amount: 1.5, ok: true, text: 'a, "b"' },
      { id: 2, zip: '12', amount: null, ok: false, text: 'two\nlines' },
    ]);
  });

  it('reads JSON lines, skipping blank ones and naming a bad line', () => {
    expect(parseJsonLines('{"a":1}\n\n{"a":2}\n', 'f')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(issuesOf(() => parseJsonLines('{"a":1}\n{oops\n', 'body.entitiesUri'))).toEqual([
      'body.entitiesUri:2 invalid_json',
    ]);
  });
});

describe('objectKeyOfUri', () => {
  it('finds the key of a URI the store gave out, and nothing for others', () => {
    const s3 = new S3ObjectStore({ bucketName: 'bucket', prefix: 'mlops/', clock: manualClock() });
    const files = new FileObjectStore({ root: '/tmp/mlops-home/objects', clock: manualClock() });

    expect(objectKeyOfUri(s3, 's3://bucket/mlops/uploads/e.csv')).toBe('uploads/e.csv');
    expect(objectKeyOfUri(s3, 's3://other/mlops/uploads/e.csv')).toBeUndefined();
    expect(objectKeyOfUri(files, files.uriOf('up%loads/a b/e.csv'))).toBe('up%loads/a b/e.csv');
    expect(objectKeyOfUri(files, 'file:///etc/passwd')).toBeUndefined();
    expect(objectKeyOfUri(files, 'not a uri')).toBeUndefined();
  });
});
