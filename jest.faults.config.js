// Fault-injection specs (`npm run test:faults`): the event bus and the services under
// kill -9, a stopped broker and dropped database connections, with real processes and
// their own broker; see test/faults/global-setup.ts. Run with --runInBand.
const preset = require('./jest.preset');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  globalTeardown: '<rootDir>/test/faults/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 1,
};
