import type { FeatureGroupVersion, FeatureSpec } from '../../lambdas/shared/ports/feature-group-version';

/** A feature group version as the definitions module would store it. */
export const featureGroup = (
  overrides: Partial<FeatureGroupVersion> & Pick<FeatureGroupVersion, 'name'>,
): FeatureGroupVersion => ({
  version: 1,
  description: '',
  owner: 'team',
  entityKeys: ['user_id'],
  eventTimeField: 'event_time',
  features: [feature('amount', 'float')],
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'test',
  ...overrides,
});

export const feature = (name: string, type: FeatureSpec['type']): FeatureSpec => ({
  name,
  type,
  nullable: true,
});

/** Batch ids that sort in the order they were made: b0000000001, b0000000002, ... */
export const countingIds = (prefix = 'b') => {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(10, '0')}`;
};
