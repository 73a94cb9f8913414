import type { FeatureGroupVersion, FeatureSpec } from '../../lambdas/features/definitions';

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

/** A clock the test moves by hand. */
export const manualClock = (start = '2026-02-01T00:00:00.000Z') => {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    set: (iso: string) => {
      now = new Date(iso).getTime();
    },
  };
};

/** Batch ids that sort in the order they were made: b0000000001, b0000000002, ... */
export const countingIds = (prefix = 'b') => {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(10, '0')}`;
};
