/** The pure statistics of A/B deployments: summaries, sample-ratio check, fixed-horizon and sequential tests. */
export * from './decide';
export * from './fixed-horizon';
export * from './sequential';
export * from './srm';
export * from './summary';
