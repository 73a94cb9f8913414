import { monotonicFactory } from 'ulid';
import type { Clock } from './ports/clock';

/**
 * Identifiers that sort by creation time (ULIDs: 48-bit millisecond time + 80 random bits), monotonic
 * within a process even inside one millisecond. Sort keys built from them list newest-first exactly,
 * where a timestamp plus a random UUID would order same-millisecond events at random.
 */
export const sortableIdGenerator = (clock: Clock): ((atMs?: number) => string) => {
  const next = monotonicFactory();
  // `atMs` lets a caller stamp an id with the very instant it records elsewhere (e.g. an alias's
  // `since`): reading the clock twice could put the id in a later millisecond than the record says.
  return (atMs?: number) => next(atMs ?? clock.now().getTime());
};
