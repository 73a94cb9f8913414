import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['local/shims/promise-with-resolvers.ts', 'test/support/setup.ts'],
    // Emulators (DynamoDB Local, s3rver) and CDK synths are started once per file; two cores, two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
