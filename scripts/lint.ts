// Static checks: proto style (buf), the typed GraphQL operations (GraphQL Code Generator),
// TypeScript/JS lint (ESLint, type-aware), formatting (Prettier) and architecture
// boundaries (dependency-cruiser: apps never import apps, libs never import apps, no deep
// imports into libs).
import { runAll } from './steps';

runAll([
  ['buf lint', 'buf', ['lint']],
  ['buf format', 'buf', ['format', '--diff', '--exit-code']],
  // Every operation of libs/profile-client validates against apps/profile/schema.gql, and
  // the committed generated code is what they produce now.
  [
    'typed GraphQL operations valid and up to date',
    'graphql-codegen',
    ['--config', 'libs/profile-client/codegen.ts', '--check'],
  ],
  ['eslint', 'eslint', ['--max-warnings=0', '.']],
  ['prettier', 'prettier', ['--check', '--log-level=warn', '.']],
  [
    'import boundaries (dependency-cruiser)',
    'depcruise',
    [
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'err',
      'apps',
      'libs',
      'test',
      'scripts',
    ],
  ],
]);
