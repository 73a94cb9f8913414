import { describe, expect, it } from 'vitest';
import { disagrees, evaluateGuards, failureReason, percentile } from '../../../lambdas/deployments/guards';
import type { EndpointRecord, FiguresRecord } from '../../../lambdas/deployments/records';
import { pickProduction, stickyPoint } from '../../../lambdas/deployments/routing';

const figures = (variant: string, fields: Partial<FiguresRecord>): FiguresRecord => ({
  endpoint: 'ep',
  variant,
  version: 2,
  requests: 0,
  errors: 0,
  latencies: [],
  compared: 0,
  disagreed: 0,
  from: '2026-11-28T10:00:00.000Z',
  to: '2026-11-28T10:01:00.000Z',
  ...fields,
});

describe('deployments: guards and routing (pure)', () => {
  it('takes the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);

    expect(percentile(values, 99)).toBe(99);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 99)).toBeNull();
  });

  it('tells disagreement by class for classifiers and by tolerance for regression', () => {
    expect(disagrees('binary:logistic', 0.49, 0.51)).toBe(true);
    expect(disagrees('binary:logistic', 0.6, 0.99)).toBe(false);
    expect(disagrees('reg:squarederror', 10, 10.4, 0.5)).toBe(false);
    expect(disagrees('reg:squarederror', 10, 10.6, 0.5)).toBe(true);
  });

  it('sums flushes of the new variant only and names each failed guard with its figures', () => {
    const evaluation = evaluateGuards(
      { maxErrorRate: 0.1, maxLatencyP99Ms: 50, maxDisagreement: 0.5 },
      'v2',
      [
        figures('v2', { requests: 10, errors: 1, latencies: [10, 20, 80], compared: 10, disagreed: 2 }),
        figures('v2', { requests: 10, errors: 2, latencies: [5], compared: 10, disagreed: 1 }),
        figures('v1', { requests: 100, errors: 100 }),
      ],
      '2026-11-28T10:01:00.000Z',
    );

    expect(evaluation).toMatchObject({
      passed: false,
      requests: 20,
      errors: 3,
      errorRate: 0.15,
      latencyP99Ms: 80,
      compared: 20,
      disagreed: 3,
      disagreement: 0.15,
      failed: [
        { guard: 'maxErrorRate', limit: 0.1, observed: 0.15 },
        { guard: 'maxLatencyP99Ms', limit: 50, observed: 80 },
      ],
    });
    expect(failureReason(evaluation)).toBe(
      'guard maxErrorRate failed on variant v2: observed 0.15 > limit 0.1; guard maxLatencyP99Ms failed on variant v2: observed 80 > limit 50',
    );
  });

  it('passes guards that have no evidence (no traffic in the phase)', () => {
    expect(evaluateGuards({ maxErrorRate: 0 }, 'v2', [], '2026-11-28T10:01:00.000Z').passed).toBe(true);
  });

  it('picks production variants by weight band; a key always gives the same point', () => {
    const endpoint = {
      name: 'ep',
      variants: [
        { name: 'v1', weight: 90, role: 'production' },
        { name: 'v2', weight: 10, role: 'production' },
        { name: 'v3', weight: 0, role: 'shadow' },
      ],
    } as unknown as EndpointRecord;

    expect(pickProduction(endpoint, 0).name).toBe('v1');
    expect(pickProduction(endpoint, 89.999).name).toBe('v1');
    expect(pickProduction(endpoint, 90).name).toBe('v2');
    expect(pickProduction(endpoint, 99.999).name).toBe('v2');
    expect(stickyPoint('customer-1')).toBe(stickyPoint('customer-1'));
    expect(stickyPoint('customer-1')).toBeGreaterThanOrEqual(0);
    expect(stickyPoint('customer-1')).toBeLessThan(100);
  });
});
