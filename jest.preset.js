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
  // jose and every @nestjs/* package (Nest 12) ship ESM only. Node 24 loads them from the
  // CommonJS build with require(esm), but Jest's own module loader does not (without
  // --experimental-vm-modules): SWC turns them into CommonJS for it, `import.meta.url`
  // included. See docs/adr/0033-nestjs-12-on-the-commonjs-build.md.
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', swcConfig] },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@nestjs)/)'],
  moduleNameMapper: {
    '^@app/(auth-client|contracts|friends-client|kafka|messenger-client|platform|profile-client)$':
      '<rootDir>/libs/$1/src',
  },
};
