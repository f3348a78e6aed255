// ESLint flat config (ESLint 10 has no .eslintrc; see docs/adr/0002). Type-aware rules
// for TypeScript; plain recommended rules for the Node scripts; Prettier owns formatting.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      '.infra/**',
      'libs/contracts/src/generated/**',
      'libs/profile-client/src/generated/**',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Nest modules are classes with only static members by design.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // The layer rule dependency-cruiser cannot see (.dependency-cruiser.cjs,
    // `domain-not-on-the-edge`): the generated gRPC types are names of @app/contracts, and a
    // service, repository or domain file never takes them; the controller maps them.
    files: [
      'apps/*/src/**/*.{service,repository,aggregate,rules,errors,events}.ts',
      'apps/*/src/**/entities/**/*.ts',
    ],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@app/contracts',
              importNames: ['AuthV1', 'FriendsV1', 'ProfileV1'],
              message: 'Generated gRPC types belong to the transport edge (controllers).',
            },
          ],
        },
      ],
    },
  },
  {
    // The browser client (apps/web): React's rules of hooks, browser globals.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Specs drive real clients whose results are loosely typed (socket acks, JSON bodies).
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Mocks of async ports are async functions that need not await anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  prettier,
);
