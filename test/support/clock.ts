import type { Clock } from '../../lambdas/shared/ports/clock';

/** Where every fixture's time starts, unless a test says otherwise: one instant, never today's date. */
export const FIXTURE_START = '2026-11-28T10:00:00.000Z';

/** A clock the test moves by hand. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(iso: string): void;
}

export const manualClock = (iso = FIXTURE_START): ManualClock => {
  let now = Date.parse(iso);
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
    set: (at) => {
      now = Date.parse(at);
    },
  };
};

/**
 * A clock that starts at a fixed instant and runs at the pace of the monotonic clock: for platforms
 * that need time to pass (timeouts, durations) yet must not depend on the calendar date of the run.
 */
export const runningClock = (iso = FIXTURE_START): Clock => {
  const start = Date.parse(iso);
  const origin = performance.now();
  return { now: () => new Date(start + Math.floor(performance.now() - origin)) };
};
