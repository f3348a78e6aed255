// End-to-end specs: each service runs as its own built process against the real
// PostgreSQL, Kafka and Redis; see test/e2e/global-setup.ts.
const preset = require('./jest.preset');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts', '<rootDir>/test/e2e/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
};
