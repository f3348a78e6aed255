// Compiles every service app and lib in one SWC pass into dist/ (entry points
// dist/apps/<svc>/src/main.js; `@app/*` imports rewritten to relative paths), copies
// proto/ into dist/proto, so dist/ runs on its own, and bundles the browser client
// (apps/web, Vite) into dist/web, which the gateway serves at `/`. Type checking is
// `npm run typecheck`. BUILD_OUT_DIR builds elsewhere (parallel e2e runs each build their
// own copy; their gateways serve <BUILD_OUT_DIR>/web).
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { buildGraphiql } from './build-graphiql';
import { ROOT, runAll } from './steps';

const OUT = process.env.BUILD_OUT_DIR ?? 'dist';

for (const dir of ['apps', 'libs', 'proto', 'scripts']) {
  rmSync(path.resolve(ROOT, OUT, dir), { recursive: true, force: true });
}
runAll([
  ['generate gRPC contracts from proto/', 'buf', ['generate']],
  // Rewrites the committed typed GraphQL operations when schema.gql or an operation changed
  // (`npm run lint` fails while the committed copy is stale).
  [
    'generate typed GraphQL operations (libs/profile-client)',
    'graphql-codegen',
    ['--config', 'libs/profile-client/codegen.ts'],
  ],
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
      '**/*.spec.ts,apps/web/**',
    ],
  ],
  [
    'bundle the web client (Vite)',
    'vite',
    [
      'build',
      '--config',
      'apps/web/vite.config.mts',
      '--outDir',
      path.resolve(ROOT, OUT, 'web'),
      '--emptyOutDir',
      '--logLevel',
      'warn',
      // Parallel builds (e2e instances) write to folders of their own; Vite's lock would
      // refuse the second for sharing this config.
      '--bypass-lock',
    ],
    // Vite keeps a NODE_ENV it inherits (Jest's `test` in the e2e setup), which would
    // bundle React's development build.
    { env: { NODE_ENV: 'production' } },
  ],
]);
cpSync(path.join(ROOT, 'proto'), path.resolve(ROOT, OUT, 'proto'), { recursive: true });
// profile's GraphQL IDE (GraphiQL) goes beside the compiled service: <OUT>/apps/profile/public.
if (!buildGraphiql(OUT)) {
  process.stdout.write("\nFailed at: bundle profile's GraphQL IDE\n");
  process.exit(1);
}
