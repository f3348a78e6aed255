// Builds profile's GraphQL IDE (apps/profile/graphiql: GraphiQL from npm, bundled by Vite)
// into <build folder>/apps/profile/public/graphiql, where the service finds it. Monaco makes
// it a slow bundle, so each build is kept under .infra/cache/graphiql/<hash of its inputs>
// and reused until the page's sources or package-lock.json change.
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import path from 'node:path';
import { ROOT, run } from './steps';

const SOURCE = path.join(ROOT, 'apps', 'profile', 'graphiql');
const CACHE = path.join(ROOT, '.infra', 'cache', 'graphiql');
const DAY_MS = 24 * 60 * 60 * 1000;

/** Where a build folder holds the IDE; apps/profile/src/graphql/graphiql.ts reads it there. */
export const graphiqlOutDir = (buildDir: string): string =>
  path.resolve(ROOT, buildDir, 'apps', 'profile', 'public', 'graphiql');

/** What the bundle depends on: the page's own files and every package version. */
function inputsHash(): string {
  // Bumped when how the bundle is built changes (its mode: React's production build).
  const hash = createHash('sha256').update('graphiql-bundle-2\0');
  const files = readdirSync(SOURCE, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of [...files, path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** Bundles the IDE (or reuses the cached bundle) and copies it into `buildDir`; false on failure. */
export function buildGraphiql(buildDir: string): boolean {
  const hash = inputsHash();
  const cached = path.join(CACHE, hash);
  if (existsSync(path.join(cached, 'index.html'))) {
    process.stdout.write(
      `\n▶ profile's GraphQL IDE: unchanged, reusing .infra/cache/graphiql/${hash}\n`,
    );
  } else {
    // Built beside its final name and renamed, so parallel builds (e2e instances) never
    // see half a bundle.
    const partial = `${cached}.partial-${process.pid}`;
    const ok = run(
      "bundle profile's GraphQL IDE (GraphiQL, Vite)",
      'vite',
      [
        'build',
        '--config',
        path.join(SOURCE, 'vite.config.mts'),
        '--outDir',
        partial,
        '--logLevel',
        'warn',
        // Parallel builds (e2e instances) write to folders of their own; Vite's lock would
        // refuse the second for sharing this config.
        '--bypass-lock',
      ],
      { env: { NODE_ENV: 'production' } },
    );
    if (!ok) return false;
    try {
      renameSync(partial, cached);
    } catch (error) {
      // Another build finished first with the same inputs: its bundle is as good.
      if (!existsSync(path.join(cached, 'index.html'))) throw error;
      rmSync(partial, { recursive: true, force: true });
    }
    // Older bundles go once nothing can still be copying them (another e2e instance).
    for (const old of readdirSync(CACHE)) {
      const folder = path.join(CACHE, old);
      if (old !== hash && Date.now() - statSync(folder).mtimeMs > DAY_MS) {
        rmSync(folder, { recursive: true, force: true });
      }
    }
  }
  const out = graphiqlOutDir(buildDir);
  rmSync(out, { recursive: true, force: true });
  cpSync(cached, out, { recursive: true });
  return true;
}
