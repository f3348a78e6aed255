// Unit specs: `*.spec.ts` beside the code, no network.
const preset = require('./jest.preset');

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  testMatch: [
    '<rootDir>/apps/*/src/**/*.spec.ts',
    '<rootDir>/libs/*/src/**/*.spec.ts',
    '<rootDir>/test/repo/**/*.spec.ts',
    '<rootDir>/bench/**/*.spec.ts',
  ],
};
