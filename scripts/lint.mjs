// Static checks: proto style (buf), TypeScript/JS lint (ESLint, type-aware), formatting
// (Prettier) and architecture boundaries (dependency-cruiser: apps never import apps,
// libs never import apps, no deep imports into libs).
import { runAll } from './steps.mjs';

runAll([
  ['buf lint', 'buf', ['lint']],
  ['buf format', 'buf', ['format', '--diff', '--exit-code']],
  ['eslint', 'eslint', ['--max-warnings=0', '.']],
  ['prettier', 'prettier', ['--check', '--log-level=warn', '.']],
  [
    'import boundaries (dependency-cruiser)',
    'depcruise',
    ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'apps', 'libs', 'test'],
  ],
]);
