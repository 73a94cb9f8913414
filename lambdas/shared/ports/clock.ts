/** Time as a port, so cores and tests agree on "now" without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
