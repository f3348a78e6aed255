// Compiles every app and lib in one SWC pass into dist/ (entry points
// dist/apps/<svc>/src/main.js; `@app/*` imports rewritten to relative paths) and copies
// proto/ into dist/proto, so dist/ runs on its own. Type checking is `npm run typecheck`.
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runAll } from './steps.mjs';

for (const dir of ['apps', 'libs', 'proto']) {
  rmSync(path.join(ROOT, 'dist', dir), { recursive: true, force: true });
}
runAll([
  ['generate gRPC contracts from proto/', 'buf', ['generate']],
  [
    'compile apps and libs (SWC)',
    'swc',
    [
      '.',
      '-d',
      'dist',
      '--config-file',
      '.swcrc',
      '--only',
      'apps/*/src/**/*.ts,libs/*/src/**/*.ts',
      '--ignore',
      '**/*.spec.ts',
    ],
  ],
]);
cpSync(path.join(ROOT, 'proto'), path.join(ROOT, 'dist', 'proto'), { recursive: true });
