/**
 * Captured inferences: what serving writes and monitors read. JSON Lines, one object per inference:
 * `{inferenceId, timestamp, model, version, variant, features: {...}, prediction}`, under
 * `captures/{model}/{yyyy}/{mm}/{dd}/{hh}/{file}.jsonl` (UTC hour of the inference). The hour folders let
 * a run list only its window's objects, and S3 ListObjectsV2 (the cloud job's item reader) do the same.
 */
import type { ObjectStore } from '../shared/ports/object-store';
import type { Cell } from './drift';

export interface CaptureRecord {
  readonly inferenceId: string;
  /** ISO-8601 with an offset. */
  readonly timestamp: string;
  readonly model: string;
  readonly version: number;
  /** Which deployment variant answered (e.g. `champion`, `canary`). */
  readonly variant: string;
  /** Values by training column name; anything JSON may arrive here, health checks the types. */
  readonly features: Readonly<Record<string, unknown>>;
  readonly prediction: Cell;
}

export const CAPTURES_ROOT = 'captures/';

/** Where a model's captures live unless a monitor names another prefix. */
export const defaultCapturePrefix = (model: string): string => `${CAPTURES_ROOT}${model}/`;

const two = (n: number): string => String(n).padStart(2, '0');

/** The folder of one UTC hour under a capture prefix: `{prefix}2026/11/28/09/`. */
export const hourPrefix = (prefix: string, at: Date): string =>
  `${prefix}${at.getUTCFullYear()}/${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}/${two(at.getUTCHours())}/`;

const HOUR_PATH = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//;

/** Start (epoch ms) of the hour folder a key lies in, or undefined for a key outside the layout. */
export const hourOfKey = (prefix: string, key: string): number | undefined => {
  if (!key.startsWith(prefix)) return undefined;
  const m = HOUR_PATH.exec(key.slice(prefix.length));
  if (!m) return undefined;
  const [year, month, day, hour] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour);
  return new Date(ms).getUTCHours() === hour && new Date(ms).getUTCDate() === day ? ms : undefined;
};

const HOUR_MS = 3_600_000;

/**
 * The one prefix that lists every hour folder of [from, to): the hours' longest common folder path.
 * A window inside one day lists that day only; the job skips keys of hours outside the window by name.
 */
export const windowListPrefix = (prefix: string, from: Date, to: Date): string => {
  const first = hourPrefix(prefix, from);
  const last = hourPrefix(prefix, new Date(Math.max(from.getTime(), to.getTime() - 1)));
  let common = 0;
  while (common < first.length && first[common] === last[common]) common++;
  return first.slice(0, first.lastIndexOf('/', common - 1) + 1);
};

/** Whether a key's hour folder overlaps [fromMs, toMs). */
export const keyInWindow = (prefix: string, key: string, fromMs: number, toMs: number): boolean => {
  const hour = hourOfKey(prefix, key);
  return hour !== undefined && hour + HOUR_MS > fromMs && hour < toMs;
};

/** JSON Lines of the records, one per line, ending with a newline. */
export const encodeCaptures = (records: readonly CaptureRecord[]): string =>
  records.map((record) => `${JSON.stringify(record)}\n`).join('');

/**
 * Writes records as capture files: one object per model and UTC hour of their timestamps, named
 * `{fileId}.jsonl` (serving uses a ULID per flush). Returns the keys written.
 */
export const writeCaptures = async (
  objects: ObjectStore,
  records: readonly CaptureRecord[],
  fileId: string,
  prefixOf: (model: string) => string = defaultCapturePrefix,
): Promise<string[]> => {
  const files = new Map<string, CaptureRecord[]>();
  for (const record of records) {
    const at = new Date(record.timestamp);
    if (Number.isNaN(at.getTime())) throw new RangeError(`capture ${record.inferenceId}: bad timestamp`);
    const key = `${hourPrefix(prefixOf(record.model), at)}${fileId}.jsonl`;
    const file = files.get(key) ?? [];
    file.push(record);
    files.set(key, file);
  }
  for (const [key, file] of files) {
    await objects.put(key, encodeCaptures(file), { contentType: 'application/x-ndjson' });
  }
  return [...files.keys()];
};

export interface ParsedCaptures {
  readonly records: CaptureRecord[];
  /** Lines that were not JSON objects of the capture shape (blank lines are not counted). */
  readonly malformed: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A line's record when it has the capture shape; the feature values are checked later, by health. */
const asCapture = (value: unknown): CaptureRecord | undefined => {
  if (!isRecord(value)) return undefined;
  const { inferenceId, timestamp, version, features, prediction } = value;
  if (typeof inferenceId !== 'string' || inferenceId.length === 0) return undefined;
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) return undefined;
  if (typeof version !== 'number' || !Number.isInteger(version)) return undefined;
  if (!isRecord(features)) return undefined;
  if (
    prediction !== null &&
    prediction !== undefined &&
    !['number', 'string', 'boolean'].includes(typeof prediction)
  )
    return undefined;
  return value as unknown as CaptureRecord;
};

/** Parses a JSON Lines capture object; lines that do not hold a capture are counted, not thrown. */
export const parseCaptures = (body: Uint8Array | string): ParsedCaptures => {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const records: CaptureRecord[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      malformed++;
      continue;
    }
    const record = asCapture(parsed);
    if (record) records.push(record);
    else malformed++;
  }
  return { records, malformed };
};
