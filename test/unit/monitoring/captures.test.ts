import { describe, expect, it } from 'vitest';
import {
  type CaptureRecord,
  encodeCaptures,
  hourOfKey,
  hourPrefix,
  keyInWindow,
  parseCaptures,
  windowListPrefix,
} from '../../../lambdas/monitoring/captures';

const record = (id: string, timestamp: string): CaptureRecord => ({
  inferenceId: id,
  timestamp,
  model: 'churn',
  version: 3,
  variant: 'champion',
  features: { tenure: 4, plan: 'pro' },
  prediction: 0.25,
});

describe('monitoring: the capture format', () => {
  it('round-trips records through JSON Lines and counts lines that are not captures', () => {
    const records = [record('a', '2026-11-28T09:15:00Z'), record('b', '2026-11-28T09:16:00+01:00')];
    const text = `${encodeCaptures(records)}\n{"inferenceId":"c"}\nnot json\n[1,2]\n`;

    const parsed = parseCaptures(new TextEncoder().encode(text));

    expect(parsed.records).toEqual(records);
    expect(parsed.malformed).toBe(3);
  });

  it('files a record under the UTC hour of its timestamp', () => {
    expect(hourPrefix('captures/churn/', new Date('2026-01-02T03:59:59.999+01:00'))).toBe(
      'captures/churn/2026/01/02/02/',
    );
    expect(hourOfKey('captures/churn/', 'captures/churn/2026/01/02/02/x.jsonl')).toBe(
      Date.UTC(2026, 0, 2, 2),
    );
    expect(hourOfKey('captures/churn/', 'captures/churn/2026/02/30/02/x.jsonl')).toBeUndefined();
    expect(hourOfKey('captures/churn/', 'captures/other/2026/01/02/02/x.jsonl')).toBeUndefined();
  });

  it('lists a window through the longest common folder of its hours', () => {
    const prefix = 'captures/churn/';
    const at = (iso: string) => new Date(iso);

    expect(windowListPrefix(prefix, at('2026-11-28T09:00:00Z'), at('2026-11-28T10:00:00Z'))).toBe(
      'captures/churn/2026/11/28/09/',
    );
    expect(windowListPrefix(prefix, at('2026-11-28T01:30:00Z'), at('2026-11-28T10:00:00Z'))).toBe(
      'captures/churn/2026/11/28/',
    );
    expect(windowListPrefix(prefix, at('2026-11-27T10:00:00Z'), at('2026-11-28T10:00:00Z'))).toBe(
      'captures/churn/2026/11/',
    );
    expect(windowListPrefix(prefix, at('2025-12-31T23:00:00Z'), at('2026-01-01T01:00:00Z'))).toBe(
      'captures/churn/',
    );
  });

  it('takes a key into a window when its hour folder overlaps the window', () => {
    const from = Date.parse('2026-11-28T09:30:00Z');
    const to = Date.parse('2026-11-28T11:00:00Z');
    const key = (hour: string) => `captures/churn/2026/11/28/${hour}/f.jsonl`;

    expect(['08', '09', '10', '11'].map((h) => keyInWindow('captures/churn/', key(h), from, to))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});
