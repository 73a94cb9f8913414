/**
 * Rules every EventPublisher adapter enforces before any I/O, so the local bus refuses what EventBridge
 * would refuse (or accept from one caller and drop for another).
 */
import { ValidationError } from '../errors';
import type { PlatformEvent } from '../ports/event-publisher';

/** EventBridge's limit on one PutEvents entry, and on all the entries of one request together. */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;
/** Most entries one PutEvents request may hold. */
export const MAX_EVENTS_PER_REQUEST = 10;
/** What EventBridge counts for an entry's Time, whatever its text. */
const TIME_BYTES = 14;

const SOURCE = /^mlops\.[A-Za-z0-9][A-Za-z0-9._-]{0,249}$/;
const DETAIL_TYPE_MAX = 128;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A checked event, in the form both adapters send or keep. */
export interface EventEntry {
  readonly source: string;
  readonly detailType: string;
  /** The detail as JSON text, as PutEvents carries it. */
  readonly detail: string;
  readonly time?: Date;
  /** Bytes EventBridge counts for this entry. */
  readonly size: number;
}

const invalid = (field: string, rule: string, message: string) =>
  new ValidationError([{ field, rule, message }]);

/** Checks one event (the `index`-th of a publish call) and gives it in entry form. */
export const toEventEntry = (event: PlatformEvent, index: number): EventEntry => {
  const at = `events.${index}`;
  if (typeof event.source !== 'string' || !SOURCE.test(event.source)) {
    throw invalid(
      `${at}.source`,
      'event_source',
      'must be mlops.<name>: letters, digits, . _ -, at most 256',
    );
  }
  const detailType = event.detailType;
  if (typeof detailType !== 'string' || detailType.trim() === '' || detailType.length > DETAIL_TYPE_MAX) {
    throw invalid(`${at}.detailType`, 'event_detail_type', `must be 1 to ${DETAIL_TYPE_MAX} characters`);
  }
  if (event.detail === null || typeof event.detail !== 'object' || Array.isArray(event.detail)) {
    throw invalid(`${at}.detail`, 'object', 'must be a JSON object');
  }
  let time: Date | undefined;
  if (event.time !== undefined) {
    time = new Date(event.time);
    if (!ISO_8601.test(event.time) || Number.isNaN(time.getTime())) {
      throw invalid(`${at}.time`, 'iso_datetime', 'must be an ISO-8601 date-time with a time zone');
    }
  }
  const detail = JSON.stringify(event.detail);
  const size =
    (time ? TIME_BYTES : 0) +
    Buffer.byteLength(event.source) +
    Buffer.byteLength(detailType) +
    Buffer.byteLength(detail);
  if (size > MAX_EVENT_ENTRY_BYTES) {
    throw invalid(
      at,
      'max_size',
      `the event takes ${size} bytes; EventBridge takes at most ${MAX_EVENT_ENTRY_BYTES}`,
    );
  }
  return { source: event.source, detailType, detail, ...(time ? { time } : {}), size };
};

/** Splits checked entries, in order, into PutEvents-sized requests: at most 10 entries and 256 KB each. */
export const requestsOf = <E extends { readonly size: number }>(entries: readonly E[]): E[][] => {
  const requests: E[][] = [];
  let current: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const full = current.length === MAX_EVENTS_PER_REQUEST || bytes + entry.size > MAX_EVENT_ENTRY_BYTES;
    if (current.length > 0 && full) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
};
