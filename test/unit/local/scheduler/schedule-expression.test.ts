import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../lambdas/shared/errors';
import {
  type CronSchedule,
  matchesCron,
  nextFireTime,
  parseScheduleExpression,
} from '../../../../local/scheduler/schedule-expression';

/** The next `count` fire times after `after`. */
function fires(expression: string, after: string, count: number, start?: string): string[] {
  const schedule = parseScheduleExpression(expression);
  const out: string[] = [];
  let t: Date | undefined = new Date(after);
  const options = start ? { start: new Date(start) } : {};
  for (let i = 0; i < count && t; i++) {
    t = nextFireTime(schedule, t, options);
    if (t) out.push(t.toISOString().replace(':00.000Z', 'Z'));
  }
  return out;
}

function issuesOf(expression: string) {
  try {
    parseScheduleExpression(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map(({ field, rule }) => ({ field, rule }));
  }
  throw new Error(`${expression} was accepted`);
}

// 2026-02-27 is a Friday; 2026-03-01 a Sunday; 2028 is a leap year, 2100 is not.
describe('nextFireTime on the EventBridge documentation examples', () => {
  it.each([
    ['cron(0 10 * * ? *)', '2026-02-27T10:00:00Z', ['2026-02-28T10:00Z', '2026-03-01T10:00Z']],
    ['cron(15 12 * * ? *)', '2026-02-27T12:14:59Z', ['2026-02-27T12:15Z', '2026-02-28T12:15Z']],
    ['cron(0 18 ? * MON-FRI *)', '2026-02-27T18:30:00Z', ['2026-03-02T18:00Z', '2026-03-03T18:00Z']],
    ['cron(0 8 1 * ? *)', '2026-02-27T00:00:00Z', ['2026-03-01T08:00Z', '2026-04-01T08:00Z']],
    ['cron(0/15 * * * ? *)', '2026-02-27T23:50:00Z', ['2026-02-28T00:00Z', '2026-02-28T00:15Z']],
    ['cron(0/10 * ? * MON-FRI *)', '2026-02-27T23:55:00Z', ['2026-03-02T00:00Z', '2026-03-02T00:10Z']],
    ['cron(0/5 8-17 ? * MON-FRI *)', '2026-02-27T17:54:00Z', ['2026-02-27T17:55Z', '2026-03-02T08:00Z']],
    ['cron(0 9 ? * 2#1 *)', '2026-02-27T00:00:00Z', ['2026-03-02T09:00Z', '2026-04-06T09:00Z']],
    [
      'cron(1/10 * * * ? *)',
      '2026-02-27T00:00:00Z',
      ['2026-02-27T00:01Z', '2026-02-27T00:11Z', '2026-02-27T00:21Z'],
    ],
  ])('%s after %s', (expression, after, expected) => {
    // Act
    const actual = fires(expression, after, expected.length);

    // Assess
    expect(actual).toEqual(expected);
  });
});

describe('nextFireTime on L, W, # and calendar edges', () => {
  it.each([
    [
      'last day of month, leap February',
      'cron(0 0 L * ? *)',
      '2028-02-01T00:00:00Z',
      ['2028-02-29T00:00Z', '2028-03-31T00:00Z'],
    ],
    [
      'last day of month, common February',
      'cron(0 0 L * ? *)',
      '2026-02-01T00:00:00Z',
      ['2026-02-28T00:00Z'],
    ],
    [
      '29 February only in leap years',
      'cron(0 0 29 2 ? *)',
      '2026-01-01T00:00:00Z',
      ['2028-02-29T00:00Z', '2032-02-29T00:00Z'],
    ],
    ['2100 is not a leap year', 'cron(0 0 29 2 ? 2096-2104)', '2096-03-01T00:00:00Z', ['2104-02-29T00:00Z']],
    [
      'day 31 skips short months',
      'cron(0 0 31 * ? *)',
      '2026-03-31T00:00:00Z',
      ['2026-05-31T00:00Z', '2026-07-31T00:00Z'],
    ],
    [
      'L in day-of-week is Saturday',
      'cron(0 12 ? * L *)',
      '2026-02-27T00:00:00Z',
      ['2026-02-28T12:00Z', '2026-03-07T12:00Z'],
    ],
    [
      '6L is the last Friday',
      'cron(0 0 ? * 6L *)',
      '2026-02-01T00:00:00Z',
      ['2026-02-27T00:00Z', '2026-03-27T00:00Z'],
    ],
    ['FRIL names the day', 'cron(0 0 ? * FRIL *)', '2026-02-01T00:00:00Z', ['2026-02-27T00:00Z']],
    [
      '1W on a Sunday moves to Monday the 2nd',
      'cron(0 0 1W * ? *)',
      '2026-02-27T00:00:00Z',
      ['2026-03-02T00:00Z'],
    ],
    [
      '1W on a Saturday moves to Monday the 3rd, not back a month',
      'cron(0 0 1W * ? *)',
      '2026-07-15T00:00:00Z',
      ['2026-08-03T00:00Z'],
    ],
    [
      '15W on a Saturday moves to Friday',
      'cron(0 0 15W * ? *)',
      '2026-08-01T00:00:00Z',
      ['2026-08-14T00:00Z'],
    ],
    [
      '31W on a Sunday moves back to Friday',
      'cron(0 0 31W * ? *)',
      '2026-05-01T00:00:00Z',
      ['2026-05-29T00:00Z'],
    ],
    [
      'LW is the last weekday',
      'cron(0 0 LW * ? *)',
      '2026-05-01T00:00:00Z',
      ['2026-05-29T00:00Z', '2026-06-30T00:00Z'],
    ],
    [
      '5th Friday skips months without one',
      'cron(0 0 ? * 6#5 *)',
      '2026-02-01T00:00:00Z',
      ['2026-05-29T00:00Z', '2026-07-31T00:00Z'],
    ],
    [
      'month and day names, mixed lists',
      'cron(30 6 ? JAN,JUL SUN,SAT 2027)',
      '2026-12-31T00:00:00Z',
      ['2027-01-02T06:30Z', '2027-01-03T06:30Z'],
    ],
    ['strictly after a fire time', 'cron(0 10 * * ? *)', '2026-02-27T10:00:00.000Z', ['2026-02-28T10:00Z']],
    ['stops after the last year', 'cron(0 0 1 1 ? 2199)', '2198-06-01T00:00:00Z', ['2199-01-01T00:00Z']],
  ])('%s: %s', (_label, expression, after, expected) => {
    // Act
    const actual = fires(expression, after, expected.length + 1);

    // Assess
    expect(actual.slice(0, expected.length)).toEqual(expected);
  });

  it('returns undefined once a cron has no year left', () => {
    // Prepare
    const schedule = parseScheduleExpression('cron(0 0 1 1 ? 2030)');

    // Act
    const next = nextFireTime(schedule, new Date('2030-01-01T00:00:00Z'));

    // Assess
    expect(next).toBeUndefined();
  });
});

describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 43_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 604_800_000],
  ])('%s is every %i ms', (expression, intervalMs) => {
    // Act
    const schedule = parseScheduleExpression(expression);

    // Assess
    expect(schedule).toMatchObject({ kind: 'rate', intervalMs });
  });

  it('fires every interval counted from the start, strictly after', () => {
    // Act
    const actual = fires('rate(5 minutes)', '2026-01-01T00:07:00Z', 3, '2026-01-01T00:00:00Z');

    // Assess
    expect(actual).toEqual(['2026-01-01T00:10Z', '2026-01-01T00:15Z', '2026-01-01T00:20Z']);
  });
});

describe('parseScheduleExpression refuses what EventBridge refuses', () => {
  it.each([
    ['both ? ', 'cron(0 10 ? * ? *)', 'expression.dayOfWeek', 'question-mark'],
    ['neither ?', 'cron(0 10 * * MON *)', 'expression.dayOfWeek', 'question-mark'],
    ['* in both day fields', 'cron(0 10 * * * *)', 'expression.dayOfWeek', 'question-mark'],
    ['5 fields', 'cron(0 10 * * ?)', 'expression', 'field-count'],
    ['7 fields', 'cron(0 0 10 * * ? *)', 'expression', 'field-count'],
    ['rate(1 minutes)', 'rate(1 minutes)', 'expression.unit', 'plural'],
    ['rate(5 hour)', 'rate(5 hour)', 'expression.unit', 'plural'],
    ['rate(0 minutes)', 'rate(0 minutes)', 'expression.value', 'positive-integer'],
    ['rate(1.5 hours)', 'rate(1.5 hours)', 'expression.value', 'positive-integer'],
    ['rate(2 weeks)', 'rate(2 weeks)', 'expression.unit', 'unit'],
    ['rate without unit', 'rate(5)', 'expression', 'format'],
    ['minute 60', 'cron(60 10 * * ? *)', 'expression.minutes', 'range'],
    ['hour 24', 'cron(0 24 * * ? *)', 'expression.hours', 'range'],
    ['day 32', 'cron(0 0 32 * ? *)', 'expression.dayOfMonth', 'range'],
    ['month 13', 'cron(0 0 1 13 ? *)', 'expression.month', 'range'],
    ['day-of-week 0', 'cron(0 0 ? * 0 *)', 'expression.dayOfWeek', 'range'],
    ['year 2200', 'cron(0 0 1 1 ? 2200)', 'expression.year', 'range'],
    ['year 1969', 'cron(0 0 1 1 ? 1969)', 'expression.year', 'range'],
    ['backwards range', 'cron(0 17-8 * * ? *)', 'expression.hours', 'range'],
    ['two # expressions', 'cron(0 0 ? * 3#1,6#3 *)', 'expression.dayOfWeek', 'wildcard'],
    ['# beyond the 5th', 'cron(0 0 ? * 3#6 *)', 'expression.dayOfWeek', 'range'],
    ['W in day-of-week', 'cron(0 0 ? * 2W *)', 'expression.dayOfWeek', 'syntax'],
    ['/ in day-of-week', 'cron(0 0 ? * 1/2 *)', 'expression.dayOfWeek', 'wildcard'],
    ['L inside a list', 'cron(0 0 L,15 * ? *)', 'expression.dayOfMonth', 'wildcard'],
    ['zero increment', 'cron(0/0 * * * ? *)', 'expression.minutes', 'step'],
    ['unknown name', 'cron(0 0 ? * MOX *)', 'expression.dayOfWeek', 'syntax'],
    ['empty list item', 'cron(1,,2 * * * ? *)', 'expression.minutes', 'syntax'],
    ['not a schedule', 'every 5 minutes', 'expression', 'format'],
  ])('%s', (_label, expression, field, rule) => {
    // Act
    const issues = issuesOf(expression);

    // Assess
    expect(issues).toContainEqual({ field, rule });
  });

  it('names every bad field at once, under the caller-given field name', () => {
    // Act
    let caught: unknown;
    try {
      parseScheduleExpression('cron(61 25 * * ? *)', 'body.schedule');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect((caught as ValidationError).issues.map((i) => i.field)).toEqual([
      'body.schedule.minutes',
      'body.schedule.hours',
    ]);
  });
});

/** Cron expressions over the whole grammar, with exactly one `?` and years near now. */
const cronArbitrary = (() => {
  const list = (min: number, max: number) =>
    fc.oneof(
      fc.constant('*'),
      fc.integer({ min, max }).map(String),
      fc
        .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
        .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
      fc.tuple(fc.integer({ min, max }), fc.integer({ min: 1, max })).map(([a, s]) => `${a}/${s}`),
      fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(',')),
    );
  const dayOfMonth = fc.oneof(
    list(1, 31),
    fc.constantFrom('L', 'LW'),
    fc.integer({ min: 1, max: 31 }).map((d) => `${d}W`),
  );
  const dayOfWeek = fc.oneof(
    list(1, 7).filter((f) => !f.includes('/')),
    fc.constantFrom('MON-FRI', 'SAT,SUN', 'L'),
    fc.integer({ min: 1, max: 7 }).map((d) => `${d}L`),
    fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([d, k]) => `${d}#${k}`),
  );
  const days = fc.oneof(
    dayOfMonth.map((dom) => [dom, '?']),
    dayOfWeek.map((dow) => ['?', dow]),
  );
  const year = fc.oneof(
    fc.constant('*'),
    fc.constant('2025-2035'),
    fc.integer({ min: 2025, max: 2035 }).map(String),
  );
  return fc
    .tuple(list(0, 59), list(0, 23), days, list(1, 12), year)
    .map(([mi, h, [dom, dow], mo, y]) => `cron(${mi} ${h} ${dom} ${mo} ${dow} ${y})`);
})();

describe('nextFireTime properties', () => {
  it('fires strictly later each time, only on matching minutes, and skips no matching minute', () => {
    fc.assert(
      fc.property(
        cronArbitrary,
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2034-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 60_000 }),
        (expression, after, lead) => {
          // Prepare
          const schedule = parseScheduleExpression(expression) as CronSchedule;

          // Act
          const first = nextFireTime(schedule, after);
          const second = first && nextFireTime(schedule, first);

          // Assess
          if (first) {
            expect(first.getTime()).toBeGreaterThan(after.getTime());
            expect(matchesCron(schedule, first)).toBe(true);
          }
          if (second && first) {
            expect(second.getTime()).toBeGreaterThan(first.getTime());
            expect(matchesCron(schedule, second)).toBe(true);
            // Asked from up to a minute before, a fire time is the answer: the edge where searches go wrong.
            expect(nextFireTime(schedule, new Date(second.getTime() - lead))).toEqual(second);
          }
          // Minute by minute over the next two days (or up to the fire time), nothing matches earlier.
          const limit = Math.min(
            first?.getTime() ?? Number.POSITIVE_INFINITY,
            after.getTime() + 2 * 86_400_000,
          );
          for (let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000; t < limit; t += 60_000) {
            if (matchesCron(schedule, new Date(t)))
              expect.fail(`${expression} skipped ${new Date(t).toISOString()}`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fires a rate schedule on the start + k x interval grid, strictly later each time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom('minute', 'hour', 'day'),
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: -(10 ** 9), max: 10 ** 10 }),
        (n, unit, startOffset, afterOffset) => {
          // Prepare
          const schedule = parseScheduleExpression(`rate(${n} ${unit}${n === 1 ? '' : 's'})`);
          const start = new Date(Date.UTC(2026, 0, 1) + startOffset);
          const after = new Date(start.getTime() + afterOffset);

          // Act
          const next = nextFireTime(schedule, after, { start })!;

          // Assess
          const interval = schedule.kind === 'rate' ? schedule.intervalMs : 0;
          const k = (next.getTime() - start.getTime()) / interval;
          expect(Number.isInteger(k) && k >= 1).toBe(true);
          expect(next.getTime()).toBeGreaterThan(after.getTime());
          expect(next.getTime() - interval <= after.getTime() || k === 1).toBe(true);
        },
      ),
    );
  });
});
