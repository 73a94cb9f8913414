import { describe, expect, it } from 'vitest';
import { SearchSyntaxError } from '../../../../lambdas/experiments/errors';
import {
  MAX_COMPARISONS,
  parseFilter,
  parseOrderBy,
} from '../../../../lambdas/experiments/search/filter-parser';

const metric = (key: string) => ({ kind: 'metric', key });
const param = (key: string) => ({ kind: 'param', key });
const tag = (key: string) => ({ kind: 'tag', key });
const attribute = (key: string) => ({ kind: 'attribute', key });

/** The SearchSyntaxError a parse throws, or a failed test if it parses. */
const syntaxError = (parse: () => unknown): SearchSyntaxError => {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(SearchSyntaxError);
    return error as SearchSyntaxError;
  }
  throw new Error('expected a SearchSyntaxError');
};

describe('search filter parser', () => {
  it('reads an empty or blank filter as no comparison', () => {
    expect(parseFilter('')).toEqual([]);
    expect(parseFilter('   \n\t')).toEqual([]);
  });

  it("parses MLflow's example into one comparison per clause", () => {
    const filter =
      "metrics.auc > 0.8 and params.max_depth = '5' and tags.team = 'fraud' and attributes.status = 'FINISHED'";

    expect(parseFilter(filter)).toEqual([
      { field: metric('auc'), op: '>', value: 0.8 },
      { field: param('max_depth'), op: '=', value: '5' },
      { field: tag('team'), op: '=', value: 'fraud' },
      { field: attribute('status'), op: '=', value: 'FINISHED' },
    ]);
  });

  it.each(['=', '!=', '<', '<=', '>', '>='] as const)('reads the numeric comparator %s', (op) => {
    expect(parseFilter(`metrics.loss ${op} 1`)).toEqual([{ field: metric('loss'), op, value: 1 }]);
  });

  it.each([
    ['0', 0],
    ['-1.5', -1.5],
    ['.25', 0.25],
    ['5.', 5],
    ['1e-3', 0.001],
    ['-2.5E+2', -250],
  ])('reads the number %s', (text, value) => {
    expect(parseFilter(`metrics.m = ${text}`)).toEqual([{ field: metric('m'), op: '=', value }]);
  });

  it('accepts singular entity names, attribute aliases and keywords in any case', () => {
    const parsed = parseFilter(
      "METRIC.a >= 1 AND param.b = 'x' aNd Tag.c != 'y' and attr.runName = 'r' and run.startTime > 5",
    );

    expect(parsed.map((c) => c.field)).toEqual([
      metric('a'),
      param('b'),
      tag('c'),
      attribute('run_name'),
      attribute('start_time'),
    ]);
  });

  it('needs no spaces around symbolic comparators', () => {
    expect(parseFilter("metrics.auc>0.8 and params.a='1'")).toEqual([
      { field: metric('auc'), op: '>', value: 0.8 },
      { field: param('a'), op: '=', value: '1' },
    ]);
  });

  it('reads bare keys with dots, dashes and slashes, and quoted keys with anything', () => {
    const parsed = parseFilter(
      'metrics.train/loss < 1 and metrics.val-loss.ema < 2 and metrics.`my metric` < 3 and params."a b" = \'x\'',
    );

    expect(parsed.map((c) => c.field)).toEqual([
      metric('train/loss'),
      metric('val-loss.ema'),
      metric('my metric'),
      param('a b'),
    ]);
  });

  it('reads string values in either quote, with doubled or escaped quotes inside', () => {
    expect(
      parseFilter(`tags.note = 'it''s' and tags.b = "say ""hi""" and tags.c = 'a\\'b' and tags.d = ''`),
    ).toEqual([
      { field: tag('note'), op: '=', value: "it's" },
      { field: tag('b'), op: '=', value: 'say "hi"' },
      { field: tag('c'), op: '=', value: "a'b" },
      { field: tag('d'), op: '=', value: '' },
    ]);
  });

  it('reads LIKE, ILIKE, IN and NOT IN on strings', () => {
    expect(
      parseFilter(
        "params.model like 'xgb%' and tags.team ilike 'FR_ud' and tags.x in ('a', \"b\") and attributes.status not in ('FAILED')",
      ),
    ).toEqual([
      { field: param('model'), op: 'LIKE', value: 'xgb%' },
      { field: tag('team'), op: 'ILIKE', value: 'FR_ud' },
      { field: tag('x'), op: 'IN', values: ['a', 'b'] },
      { field: attribute('status'), op: 'NOT IN', values: ['FAILED'] },
    ]);
  });

  it('reads time attributes as epoch milliseconds or ISO-8601', () => {
    expect(
      parseFilter("attributes.start_time >= '2026-01-01T00:00:00Z' and attributes.end_time < 1767225600000"),
    ).toEqual([
      { field: attribute('start_time'), op: '>=', value: Date.UTC(2026, 0, 1) },
      { field: attribute('end_time'), op: '<', value: 1767225600000 },
    ]);
  });

  it.each([
    ["metrics.auc > 0.8 or params.a = '1'", 19, 'OR is not supported'],
    ['metricz.auc > 1', 1, 'unknown entity "metricz"'],
    ['constructor.x > 1', 1, 'unknown entity "constructor"'],
    ["attributes.colour = 'red'", 12, 'unknown attribute "colour"'],
    ['metrics > 1', 8, 'expected "." after "metrics"'],
    ['metrics. > 1', 9, 'expected a key after "metrics."'],
    ['(metrics.a > 1)', 1, 'expected a field'],
    ['metrics.auc 0.8', 13, 'expected a comparator'],
    ['metrics.auc == 0.8', 14, 'expected a number or a quoted string'],
    ['metrics.auc >', 14, 'found the end of the text'],
    ["metrics.auc > '0.8'", 15, 'metrics.auc compares with a number'],
    [
      'params.max_depth = 5',
      20,
      "params.max_depth compares with a quoted string, e.g. params.max_depth = '5'",
    ],
    ['tags.team = fraud', 13, 'expected a number or a quoted string'],
    ["metrics.auc LIKE '0.%'", 13, 'LIKE applies to params, tags and string attributes'],
    ["metrics.auc IN ('1')", 13, 'IN applies to params, tags and string attributes'],
    ["attributes.start_time ILIKE '2026%'", 23, 'ILIKE applies to'],
    ["attributes.start_time > 'yesterday'", 25, 'compares with a number'],
    ["params.a = 'open", 12, 'unterminated string'],
    ['metrics.`open > 1', 9, 'unterminated key'],
    ['params.a IN ()', 14, 'expected a number or a quoted string'],
    ["params.a IN ('x',)", 18, 'expected a number or a quoted string'],
    ["params.a IN ('x' 'y')", 18, 'expected "," or ")"'],
    ["params.a IN 'x'", 13, 'expected "("'],
    ['params.a IN (1)', 14, 'list values are quoted strings'],
    ["params.a NOT 'x'", 10, 'expected IN after NOT'],
    ['metrics.a > 1 and', 18, 'expected a comparison after AND'],
    ['metrics.a > 1 metrics.b > 2', 15, 'expected AND or the end of the filter'],
    ['metrics.a > 1e999', 13, 'out of range'],
  ])('refuses %s at character %i', (filter, position, message) => {
    const error = syntaxError(() => parseFilter(filter));

    expect(error.position).toBe(position);
    expect(error.issues).toEqual([
      { field: 'body.filter', rule: 'search_syntax', message: expect.stringContaining(message) },
    ]);
    expect(error.issues[0]?.message).toContain(`(at character ${position})`);
  });

  it(`refuses more than ${MAX_COMPARISONS} comparisons`, () => {
    const filter = Array.from({ length: MAX_COMPARISONS + 1 }, (_, i) => `metrics.m${i} > 0`).join(' and ');

    const error = syntaxError(() => parseFilter(filter));

    expect(error.issues[0]?.message).toContain(`at most ${MAX_COMPARISONS} comparisons`);
    expect(parseFilter(filter.slice(0, filter.lastIndexOf(' and ')))).toHaveLength(MAX_COMPARISONS);
  });

  it('names the field it was given', () => {
    const error = syntaxError(() => parseFilter('nope', 'query.filter'));

    expect(error.issues[0]?.field).toBe('query.filter');
  });
});

describe('search order-by parser', () => {
  it.each([
    ['metrics.auc DESC', { field: metric('auc'), descending: true }],
    ['metrics.auc desc', { field: metric('auc'), descending: true }],
    ['metrics.auc', { field: metric('auc'), descending: false }],
    ['  attributes.start_time   ASC ', { field: attribute('start_time'), descending: false }],
    ['params.`learning rate` desc', { field: param('learning rate'), descending: true }],
    ['tags.team Asc', { field: tag('team'), descending: false }],
  ])('parses %s', (text, expected) => {
    expect(parseOrderBy(text, 'body.orderBy.0')).toEqual(expected);
  });

  it.each([
    ['metrics.auc down', 13, 'expected ASC, DESC or the end'],
    ['metrics.auc desc nulls', 18, 'expected the end after DESC'],
    ['auc desc', 1, 'unknown entity "auc"'],
    ['metrics desc', 8, 'expected "." after "metrics"'],
    ['attributes.colour', 12, 'unknown attribute'],
  ])('refuses %s at character %i, naming the order-by entry', (text, position, message) => {
    const error = syntaxError(() => parseOrderBy(text, 'body.orderBy.2'));

    expect(error.position).toBe(position);
    expect(error.issues).toEqual([
      { field: 'body.orderBy.2', rule: 'search_syntax', message: expect.stringContaining(message) },
    ]);
  });
});
