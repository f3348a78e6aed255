// Unit specs: `*.spec.ts` beside the code, no network.
const preset = require('./jest.preset');

// bench/ is plain ESM (.mjs); SWC turns it into CommonJS so its specs can import it.
const swcJest = preset.transform['^.+\\.(t|j)s$'];

/** @type {import('jest').Config} */
module.exports = {
  ...preset,
  moduleFileExtensions: [...preset.moduleFileExtensions, 'mjs'],
  transform: { ...preset.transform, '^.+\\.mjs$': swcJest },
  testMatch: [
    '<rootDir>/apps/*/src/**/*.spec.ts',
    '<rootDir>/libs/*/src/**/*.spec.ts',
    '<rootDir>/test/repo/**/*.spec.ts',
    '<rootDir>/bench/**/*.spec.ts',
  ],
};
