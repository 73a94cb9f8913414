import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['local/shims/promise-with-resolvers.ts', 'test/support/setup.ts'],
    // Emulators (DynamoDB Local, s3rver) and CDK synths are started once per file; two cores, two workers.
    pool: 'forks',
    // s3rver's continuation tokens use DES, which OpenSSL 3 allows only with the legacy provider;
    // OpenSSL reads the flag at process start, so it must be on the worker's command line.
    execArgv: ['--openssl-legacy-provider'],
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
