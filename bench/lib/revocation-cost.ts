// What the session-revocation check (issue #16) adds to verifying a request's access
// token, measured on the product's own code: libs/platform's AccessTokenVerifier from the
// bench build, once with the shared revocation set (SessionRevocations, its in-memory
// mirror filled with many ended sessions) and once without, in alternating blocks on the
// same tokens. B and C divide the difference by the product's CPU per request.
//
// The mirror is filled through the handler of the set's pub/sub announcements — the way
// every instance learns of a revocation — without connecting to Redis: the set lives in
// memory, and writing thousands of fake sessions into the shared Redis key would reach
// every service on this machine.

import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './stats';

/** Ended sessions in the mirror: a busy day's logouts, far more than any test leaves. */
const REVOKED_SESSIONS = 10_000;
const BLOCKS = 16;
/** Target length of one timed block. */
const BLOCK_MS = 40;

/** The parts of the built libs/platform classes this measurement drives. */
interface Verifier {
  verify(token: string): Promise<unknown>;
}
interface Revocations {
  apply(announcement: string): void;
  isRevoked(sessionId: string): boolean;
}
interface VerifierOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  verifiedTokenCacheSize: number;
}
interface BuiltAuth {
  AccessTokenVerifier: new (options: VerifierOptions, revocations?: Revocations) => Verifier;
  SessionRevocations: new (options: { redisUrl: string; connectionName: string }) => Revocations;
}

/**
 * Median µs per verification with and without the check, their difference, and one lookup
 * in the mirror alone (ns). `cached`: with the verified-token cache (friends, profile) or
 * without (auth's ValidateToken verifies every call).
 */
export async function revocationCost({
  buildDir,
  jwksUrl,
  tokens,
  cached,
}: {
  buildDir: string;
  jwksUrl: string;
  tokens: readonly string[];
  cached: boolean;
}): Promise<{ withUs: number; withoutUs: number; addedUs: number; lookupNs: number }> {
  const requireBuilt = createRequire(path.join(buildDir, 'package.json'));
  const auth = path.join(buildDir, 'libs', 'platform', 'src', 'auth');
  const { AccessTokenVerifier } = requireBuilt(path.join(auth, 'access-token.verifier.js')) as Pick<
    BuiltAuth,
    'AccessTokenVerifier'
  >;
  const { SessionRevocations } = requireBuilt(path.join(auth, 'session-revocations.js')) as Pick<
    BuiltAuth,
    'SessionRevocations'
  >;

  const revocations = new SessionRevocations({
    redisUrl: 'redis://127.0.0.1:6379',
    connectionName: 'bench-revocation-cost',
  });
  const until = Date.now() + 3_600_000;
  for (let i = 0; i < REVOKED_SESSIONS; i++) {
    revocations.apply(JSON.stringify({ sessionId: randomUUID(), until }));
  }
  const options = {
    jwksUrl,
    issuer: 'messenger-auth',
    audience: 'messenger',
    verifiedTokenCacheSize: cached ? 10_000 : 0,
  };
  const variants = {
    with: new AccessTokenVerifier(options, revocations),
    without: new AccessTokenVerifier(options, undefined),
  };
  // Warm-up: fetch the JWKS, fill the caches, let V8 optimise both paths.
  for (const verifier of Object.values(variants)) {
    for (let i = 0; i < Math.max(tokens.length, 200); i++) {
      await verifier.verify(tokens[i % tokens.length]);
    }
  }
  // Calls per block, so a block takes about BLOCK_MS.
  const probeStart = performance.now();
  for (let i = 0; i < 50; i++) await variants.without.verify(tokens[i % tokens.length]);
  const callsPerBlock = Math.max(
    50,
    Math.round((50 * BLOCK_MS) / (performance.now() - probeStart || 1)),
  );

  const perCall: Record<keyof typeof variants, number[]> = { with: [], without: [] };
  let next = 0;
  for (let block = 0; block < BLOCKS; block++) {
    const order = block % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const);
    for (const name of order) {
      const verifier = variants[name];
      const started = performance.now();
      for (let i = 0; i < callsPerBlock; i++) {
        await verifier.verify(tokens[next++ % tokens.length]);
      }
      perCall[name].push(((performance.now() - started) * 1000) / callsPerBlock);
    }
  }

  const lookups = 1_000_000;
  const sessionIds = Array.from({ length: 1000 }, () => randomUUID());
  const lookupStart = performance.now();
  let hits = 0;
  for (let i = 0; i < lookups; i++) if (revocations.isRevoked(sessionIds[i % 1000])) hits++;
  const lookupNs = ((performance.now() - lookupStart) * 1e6) / lookups;
  if (hits !== 0) throw new Error('a fresh session id was found revoked');

  const withUs = median(perCall.with);
  const withoutUs = median(perCall.without);
  return { withUs, withoutUs, addedUs: withUs - withoutUs, lookupNs };
}
