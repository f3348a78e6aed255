// Compiles every app and lib in one SWC pass into dist/ (entry points
// dist/apps/<svc>/src/main.js; `@app/*` imports rewritten to relative paths) and copies
// proto/ into dist/proto, so dist/ runs on its own. Type checking is `npm run typecheck`.
// BUILD_OUT_DIR builds elsewhere (parallel e2e runs each build their own copy).
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runAll } from './steps.mjs';

const OUT = process.env.BUILD_OUT_DIR ?? 'dist';

for (const dir of ['apps', 'libs', 'proto']) {
  rmSync(path.resolve(ROOT, OUT, dir), { recursive: true, force: true });
}
runAll([
  ['generate gRPC contracts from proto/', 'buf', ['generate']],
  [
    'compile apps and libs (SWC)',
    'swc',
    [
      '.',
      '-d',
      OUT,
      '--config-file',
      '.swcrc',
      '--only',
      'apps/*/src/**/*.ts,libs/*/src/**/*.ts',
      '--ignore',
      '**/*.spec.ts',
    ],
  ],
]);
cpSync(path.join(ROOT, 'proto'), path.resolve(ROOT, OUT, 'proto'), { recursive: true });
