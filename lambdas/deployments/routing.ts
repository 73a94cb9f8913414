/** Which variant answers a request: pure, so the choice is testable without a store or a model. */
import { createHash } from 'node:crypto';
import type { EndpointRecord, VariantRecord } from './records';

/** A point in [0, 100) fixed by the key: the same key always lands on the same variant (A/B). */
export const stickyPoint = (key: string): number =>
  (createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32) * 100;

/** The production variant whose weight band holds `point` (0 ≤ point < 100). */
export const pickProduction = (endpoint: EndpointRecord, point: number): VariantRecord => {
  const production = endpoint.variants.filter(
    (variant) => variant.role === 'production' && variant.weight > 0,
  );
  let upper = 0;
  for (const variant of production) {
    upper += variant.weight;
    if (point < upper) return variant;
  }
  // Weights sum to 100; a rounding gap at the top goes to the last band.
  const last = production[production.length - 1];
  if (!last) throw new Error(`endpoint ${endpoint.name} has no production variant`);
  return last;
};

export const shadowOf = (endpoint: EndpointRecord): VariantRecord | undefined =>
  endpoint.variants.find((variant) => variant.role === 'shadow');

/** The variant with the largest weight: what a canary's answers are compared with. */
export const mainProduction = (endpoint: EndpointRecord): VariantRecord | undefined =>
  endpoint.variants
    .filter((variant) => variant.role === 'production')
    .reduce<VariantRecord | undefined>(
      (best, v) => (best === undefined || v.weight > best.weight ? v : best),
      undefined,
    );

export const variantName = (version: number): string => `v${version}`;
