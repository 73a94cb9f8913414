/**
 * EventBridge schedule expressions, as the EventBridge user guide documents them ("Cron expressions
 * reference", "Rate expressions reference"), so a schedule that runs locally is one EventBridge takes:
 *
 * - `rate(value unit)`: value a positive integer; unit minute|hour|day, singular for 1 and plural
 *   otherwise (`rate(1 hours)` and `rate(5 hour)` are invalid).
 * - `cron(minutes hours day-of-month month day-of-week year)`, UTC, six fields. Exactly one of
 *   day-of-month and day-of-week is `?`. Day-of-week counts 1 = SUN .. 7 = SAT. `L` alone is the last
 *   day of the month (day-of-month) or of the week, i.e. SAT (day-of-week); `nL` is the last weekday n of
 *   the month; `nW` the weekday nearest day n, within the month; `LW` the last weekday of the month;
 *   `n#k` the k-th weekday n. `#`, `L` and `W` stand alone in their field ("3#1,6#3" is invalid).
 *
 * Where the guide is silent this parser is the stricter one (a range must not wrap, `*` is not
 * combined with other values), so nothing passes here that EventBridge might refuse at deploy time.
 */
import { ValidationError } from '../../lambdas/shared/errors';

export type RateUnit = 'minute' | 'hour' | 'day';

export interface RateSchedule {
  readonly kind: 'rate';
  readonly expression: string;
  readonly value: number;
  readonly unit: RateUnit;
  readonly intervalMs: number;
}

export type DayOfMonthRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: readonly number[] }
  | { readonly kind: 'last' }
  | { readonly kind: 'lastWeekday' }
  | { readonly kind: 'nearestWeekday'; readonly day: number };

export type DayOfWeekRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'weekdays'; readonly weekdays: readonly number[] }
  | { readonly kind: 'lastInMonth'; readonly weekday: number }
  | { readonly kind: 'nth'; readonly weekday: number; readonly nth: number };

export interface CronSchedule {
  readonly kind: 'cron';
  readonly expression: string;
  /** Sorted ascending, as are hours, months and years. */
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly dayOfMonth: DayOfMonthRule;
  readonly months: readonly number[];
  readonly dayOfWeek: DayOfWeekRule;
  readonly years: readonly number[];
}

export type ScheduleExpression = RateSchedule | CronSchedule;

type Issue = { field: string; rule: string; message: string };

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly key: string;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly step: boolean;
}

const FIELDS = {
  minutes: { key: 'minutes', label: 'minutes', min: 0, max: 59, step: true },
  hours: { key: 'hours', label: 'hours', min: 0, max: 23, step: true },
  dayOfMonth: { key: 'dayOfMonth', label: 'day-of-month', min: 1, max: 31, step: true },
  month: { key: 'month', label: 'month', min: 1, max: 12, names: MONTH_NAMES, step: true },
  dayOfWeek: { key: 'dayOfWeek', label: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, step: false },
  year: { key: 'year', label: 'year', min: 1970, max: 2199, step: true },
} satisfies Record<string, FieldSpec>;

class FieldError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) throw new FieldError('syntax', `"${text}" is not a ${spec.label} value`);
  const n = Number(text);
  if (n < spec.min || n > spec.max) {
    throw new FieldError('range', `${n} is outside ${spec.min}-${spec.max}`);
  }
  return n;
}

/** A list of values, ranges, `*` and increments; sorted, without duplicates. */
function parseList(text: string, spec: FieldSpec): number[] {
  if (text === '*') return range(spec.min, spec.max, 1);
  const values = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '*') throw new FieldError('syntax', '* cannot be combined with other values');
    const [base = '', step, extra] = part.split('/');
    if (extra !== undefined) throw new FieldError('syntax', `"${part}" has more than one /`);
    let increment = 1;
    if (step !== undefined) {
      if (!spec.step) throw new FieldError('wildcard', `/ is not allowed in ${spec.label}`);
      if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > spec.max) {
        throw new FieldError('step', `increment "${step}" must be an integer from 1 to ${spec.max}`);
      }
      increment = Number(step);
    }
    const [from = '', to, more] = base === '*' ? [String(spec.min), String(spec.max)] : base.split('-');
    if (more !== undefined) throw new FieldError('syntax', `"${base}" is not a range`);
    const start = value(from, spec);
    // `5/15` means from 5 to the end of the field, in steps of 15.
    const end = to !== undefined ? value(to, spec) : step !== undefined ? spec.max : start;
    if (end < start) throw new FieldError('range', `range ${base} runs backwards`);
    for (const n of range(start, end, increment)) values.add(n);
  }
  return [...values].sort((a, b) => a - b);
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}

function parseDayOfMonth(text: string): DayOfMonthRule {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'last' };
  if (text === 'LW') return { kind: 'lastWeekday' };
  const nearest = /^(\d+)W$/.exec(text);
  if (nearest) return { kind: 'nearestWeekday', day: value(nearest[1]!, FIELDS.dayOfMonth) };
  if (/[LW#]/i.test(text)) throw new FieldError('wildcard', `"${text}": L and W stand alone (L, LW, nW)`);
  return { kind: 'days', days: parseList(text, FIELDS.dayOfMonth) };
}

function parseDayOfWeek(text: string): DayOfWeekRule {
  if (text === '?') return { kind: 'any' };
  if (text === 'L') return { kind: 'weekdays', weekdays: [7] };
  const last = /^(\w+)L$/.exec(text);
  if (last) return { kind: 'lastInMonth', weekday: value(last[1]!, FIELDS.dayOfWeek) };
  const nth = /^(\w+)#(\d+)$/.exec(text);
  if (nth) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw new FieldError('range', `"${text}": the instance after # must be 1-5`);
    return { kind: 'nth', weekday: value(nth[1]!, FIELDS.dayOfWeek), nth: k };
  }
  // No day name holds an L, so one left here is inside a list or a range.
  if (/[#L]/i.test(text)) {
    throw new FieldError('wildcard', `"${text}": # and L allow a single expression in day-of-week`);
  }
  return { kind: 'weekdays', weekdays: parseList(text, FIELDS.dayOfWeek) };
}

function parseRate(expression: string, body: string, field: string): RateSchedule {
  const parts = body.trim().split(/\s+/);
  const issues: Issue[] = [];
  const [amount = '', unitText = '', ...rest] = parts;
  if (rest.length > 0 || parts.length !== 2) {
    issues.push({ field, rule: 'format', message: 'a rate expression is rate(value unit)' });
  } else {
    const n = Number(amount);
    if (!/^\d+$/.test(amount) || n < 1 || !Number.isSafeInteger(n)) {
      issues.push({
        field: `${field}.value`,
        rule: 'positive-integer',
        message: 'value must be a positive integer',
      });
    }
    const unit = unitText.replace(/s$/, '') as RateUnit;
    if (!Object.hasOwn(UNIT_MS, unit) || !/^[a-z]+$/.test(unitText)) {
      issues.push({
        field: `${field}.unit`,
        rule: 'unit',
        message: 'unit must be minute(s), hour(s) or day(s)',
      });
    } else if (issues.length === 0 && (n === 1) !== (unitText === unit)) {
      issues.push({
        field: `${field}.unit`,
        rule: 'plural',
        message: `unit must be ${n === 1 ? `singular for 1 (${unit})` : `plural for values above 1 (${unit}s)`}`,
      });
    }
    if (issues.length === 0)
      return { kind: 'rate', expression, value: n, unit, intervalMs: n * UNIT_MS[unit] };
  }
  throw new ValidationError(issues);
}

function parseCron(expression: string, body: string, field: string): CronSchedule {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new ValidationError([
      {
        field,
        rule: 'field-count',
        message: `cron takes 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
      },
    ]);
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const issues: Issue[] = [];
  const attempt = <T>(key: string, parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      issues.push({ field: `${field}.${key}`, rule: error.rule, message: error.message });
      return undefined;
    }
  };
  const parsed = {
    minutes: attempt('minutes', () => parseList(minutes, FIELDS.minutes)),
    hours: attempt('hours', () => parseList(hours, FIELDS.hours)),
    dayOfMonth: attempt('dayOfMonth', () => parseDayOfMonth(dayOfMonth)),
    months: attempt('month', () => parseList(month, FIELDS.month)),
    dayOfWeek: attempt('dayOfWeek', () => parseDayOfWeek(dayOfWeek)),
    years: attempt('year', () => parseList(year, FIELDS.year)),
  };
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    issues.push({
      field: `${field}.dayOfWeek`,
      rule: 'question-mark',
      message: 'exactly one of day-of-month and day-of-week must be ?',
    });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { kind: 'cron', expression, ...(parsed as Omit<CronSchedule, 'kind' | 'expression'>) };
}

/**
 * Parses `rate(...)` or `cron(...)`; throws ValidationError whose issues name the part at fault as
 * `${field}.minutes`, `${field}.unit`, ... and the rule broken.
 */
export function parseScheduleExpression(expression: string, field = 'expression'): ScheduleExpression {
  const match = /^(rate|cron)\((.*)\)$/.exec(expression.trim());
  if (!match) {
    throw new ValidationError([
      { field, rule: 'format', message: 'must be rate(value unit) or cron(six fields)' },
    ]);
  }
  return match[1] === 'rate'
    ? parseRate(expression, match[2]!, field)
    : parseCron(expression, match[2]!, field);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday .. 7 = Saturday, as in the cron day-of-week field. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** Days of one month the day-of-month and day-of-week rules select, ascending. */
export function matchingDays(cron: CronSchedule, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  const dom = cron.dayOfMonth;
  const dow = cron.dayOfWeek;
  if (dom.kind === 'days') return dom.days.filter((d) => d <= last);
  if (dom.kind === 'last') return [last];
  if (dom.kind === 'lastWeekday' || dom.kind === 'nearestWeekday') {
    const target = dom.kind === 'lastWeekday' ? last : dom.day;
    if (target > last) return [];
    const weekday = weekdayOf(year, month, target);
    // Saturday moves to Friday and Sunday to Monday, never across the month's edge.
    if (weekday === 7) return [target > 1 ? target - 1 : target + 2];
    if (weekday === 1) return [target < last ? target + 1 : target - 2];
    return [target];
  }
  const first = weekdayOf(year, month, 1);
  const dayOfWeekday = (weekday: number) => 1 + ((weekday - first + 7) % 7);
  if (dow.kind === 'weekdays') {
    return range(1, last, 1).filter((d) => dow.weekdays.includes(((first - 1 + d - 1) % 7) + 1));
  }
  if (dow.kind === 'lastInMonth') {
    const firstOne = dayOfWeekday(dow.weekday);
    return [firstOne + 7 * Math.floor((last - firstOne) / 7)];
  }
  if (dow.kind === 'nth') {
    const day = dayOfWeekday(dow.weekday) + 7 * (dow.nth - 1);
    return day <= last ? [day] : [];
  }
  return range(1, last, 1);
}

/** Whether a cron schedule fires at this instant (whole minutes only). */
export function matchesCron(cron: CronSchedule, at: Date): boolean {
  if (at.getTime() % 60_000 !== 0) return false;
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth() + 1;
  return (
    cron.years.includes(year) &&
    cron.months.includes(month) &&
    matchingDays(cron, year, month).includes(at.getUTCDate()) &&
    cron.hours.includes(at.getUTCHours()) &&
    cron.minutes.includes(at.getUTCMinutes())
  );
}

function nextCron(cron: CronSchedule, after: Date): Date | undefined {
  const from = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const [y, mo, d, h, mi] = [
    from.getUTCFullYear(),
    from.getUTCMonth() + 1,
    from.getUTCDate(),
    from.getUTCHours(),
    from.getUTCMinutes(),
  ];
  // Walk the fields from the largest; a field is bounded below by `from` only while every larger one equals it.
  for (const year of cron.years) {
    if (year < y) continue;
    for (const month of cron.months) {
      if (year === y && month < mo) continue;
      const monthBound = year === y && month === mo;
      for (const day of matchingDays(cron, year, month)) {
        if (monthBound && day < d) continue;
        const dayBound = monthBound && day === d;
        for (const hour of cron.hours) {
          if (dayBound && hour < h) continue;
          const hourBound = dayBound && hour === h;
          for (const minute of cron.minutes) {
            if (hourBound && minute < mi) continue;
            return new Date(Date.UTC(year, month - 1, day, hour, minute));
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * The first time the schedule fires strictly after `after`; undefined when it never fires again
 * (a cron past its last year). A rate schedule fires at start + k x interval, k >= 1, as EventBridge
 * starts a rate when the rule is created; `start` defaults to `after`.
 */
export function nextFireTime(
  schedule: ScheduleExpression,
  after: Date,
  options: { readonly start?: Date } = {},
): Date | undefined {
  if (Number.isNaN(after.getTime())) throw new RangeError('after must be a valid date');
  if (schedule.kind === 'cron') return nextCron(schedule, after);
  const start = (options.start ?? after).getTime();
  const elapsed = after.getTime() - start;
  const k = Math.max(1, Math.floor(elapsed / schedule.intervalMs) + 1);
  return new Date(start + k * schedule.intervalMs);
}
