// Writes friends' OpenAPI document and the typed client's types from it:
//   libs/friends-client/openapi.json    the document, built from the code (no server needed)
//   libs/friends-client/src/schema.d.ts openapi-typescript's types of every route
// Run after changing a route or DTO, and commit both files:
//   npm run build && node apps/friends/scripts/openapi.mjs
// A unit spec (apps/friends/src/openapi-document.spec.ts) and the e2e suite fail while the
// committed document disagrees with the code. BUILD_OUT_DIR reads another build folder.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const OUT = path.join(ROOT, 'libs/friends-client');
const require = createRequire(import.meta.url);
const built = path.resolve(ROOT, process.env.BUILD_OUT_DIR ?? 'dist', 'apps/friends/src');

const { generateOpenApiDocument } = require(path.join(built, 'openapi-document.js'));
const document = await generateOpenApiDocument();
const json = path.join(OUT, 'openapi.json');
writeFileSync(json, `${JSON.stringify(document, null, 2)}\n`);

const schema = path.join(OUT, 'src/schema.d.ts');
const bin = (name) => path.join(ROOT, 'node_modules/.bin', name);
execFileSync(bin('openapi-typescript'), [json, '--output', schema], { stdio: 'inherit' });
execFileSync(bin('prettier'), ['--write', json, schema], { stdio: 'inherit' });
console.log(`wrote ${path.relative(ROOT, json)} and ${path.relative(ROOT, schema)}`);
