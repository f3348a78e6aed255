// `npm run demo`: runs the demo seeder (scripts/demo/demo.ts), which `npm run build` — and
// so `npm run up` — compiles into dist/ with the services. BUILD_OUT_DIR runs another build.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.resolve(ROOT, process.env.BUILD_OUT_DIR ?? 'dist', 'scripts/demo/demo.js');

if (!existsSync(entry)) {
  process.stderr.write(`No build at ${path.relative(ROOT, entry)}: run \`npm run up\` first.\n`);
  process.exit(1);
}
createRequire(import.meta.url)(entry);
