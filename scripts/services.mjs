// The four services as `npm run up` runs them: built code, one process each, logs and pid
// files under .infra/services/.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { INFRA_DIR, REPO_ROOT } from './infra/lib.mjs';

export const SERVICES = [
  { name: 'profile', http: 3002, grpc: 50052 },
  { name: 'auth', http: 3001, grpc: 50051 },
  { name: 'friends', http: 3003, grpc: 50053 },
  { name: 'messenger', http: 3004 },
];

export const servicePaths = (name) => ({
  entry: path.join(REPO_ROOT, 'dist', 'apps', name, 'src', 'main.js'),
  pidFile: path.join(INFRA_DIR, 'services', `${name}.pid`),
  logFile: path.join(INFRA_DIR, 'services', `${name}.log`),
});

/** Where `npm run up` keeps the local service credential (git-ignored, owner-only). */
export const INTERNAL_API_TOKEN_FILE = path.join(INFRA_DIR, 'internal-api-token');

/**
 * The service credential every local service gets as `INTERNAL_API_TOKEN` (ADR 0015):
 * the caller's own when set, else the one generated on the first `npm run up` — kept, so
 * services started later and scripts reading the file agree with those already running.
 * Without it the internal gRPC methods would refuse every call, registration included.
 */
export function internalApiToken() {
  if (process.env.INTERNAL_API_TOKEN) return process.env.INTERNAL_API_TOKEN;
  try {
    const saved = fs.readFileSync(INTERNAL_API_TOKEN_FILE, 'utf8').trim();
    if (saved.length >= 32) return saved;
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  // 32 random bytes: 43 URL-safe characters, safe in a header and a shell variable.
  const token = randomBytes(32).toString('base64url');
  fs.mkdirSync(INFRA_DIR, { recursive: true });
  fs.writeFileSync(INTERNAL_API_TOKEN_FILE, `${token}\n`, { mode: 0o600 });
  return token;
}
