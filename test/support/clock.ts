import type { Clock } from '../../lambdas/shared/ports/clock';

/** A clock the test moves by hand. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(iso: string): void;
}

export const manualClock = (iso = '2026-11-28T10:00:00.000Z'): ManualClock => {
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
