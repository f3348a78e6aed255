// Shared by the unit and e2e Jest configs. Specs are compiled by SWC with decorator
// metadata on, so Nest's DI works in Test.createTestingModule; type checking is
// `npm run typecheck`'s job, not Jest's.
const swcConfig = {
  // The build's .swcrc skips specs; Jest needs its own settings.
  swcrc: false,
  jsc: {
    target: 'es2023',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  // jose ships ESM only; SWC turns it into CommonJS for Jest's module system.
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swcConfig] },
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  moduleNameMapper: {
    '^@app/(auth-client|contracts|friends-client|kafka|messenger-client|platform|profile-client)$':
      '<rootDir>/libs/$1/src',
  },
};
