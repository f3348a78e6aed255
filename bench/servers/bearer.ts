// The access-token check the HTTP baselines share with the product: the Bearer token of a
// request verified with jose against auth's JWKS, with the options of libs/platform's
// AccessTokenVerifier (ES256, issuer, audience, `typ: at+jwt`, required claims), and the
// same verified-token cache the product's HTTP services (friends, profile) keep: keyed by
// the whole token, at most VERIFIED_TOKEN_CACHE_SIZE entries (10,000 as in the product;
// 0 turns it off), each until the earlier of the token's `exp` and 60 s, least recently
// used dropped first, failures never cached.
// Env: JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, VERIFIED_TOKEN_CACHE_SIZE.
// messenger keeps no such cache (a socket verifies its token once): H runs it with 0.
// A server calls `loadJwks` once before it listens.

import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';

const { JWKS_URL, JWT_ISSUER, JWT_AUDIENCE } = process.env;
const CACHE_SIZE = Number(process.env.VERIFIED_TOKEN_CACHE_SIZE ?? 10_000);
/** The product's VERIFIED_TOKEN_TTL_MS. */
const VERIFIED_TTL_MS = 60_000;

/** Auth's public keys; set by `loadJwks`. */
let jwks: JWTVerifyGetKey = () => Promise.reject(new Error('loadJwks() first'));
const verified =
  CACHE_SIZE > 0
    ? new LRUCache<string, string>({
        max: CACHE_SIZE,
        perf: { now: () => Date.now() },
        ttlResolution: 0,
      })
    : undefined;

/** Fetches auth's public keys (JWKS_URL) once; the verifications use them from then on. */
export async function loadJwks(): Promise<void> {
  if (!JWKS_URL) throw new Error('JWKS_URL is required');
  jwks = createLocalJWKSet((await (await fetch(JWKS_URL)).json()) as JSONWebKeySet);
}

/**
 * The user id (`sub`) of the request's valid access token, or undefined when the header
 * is missing or the token does not verify.
 */
export function bearerUser(req: IncomingMessage): Promise<string | undefined> {
  return tokenUser(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
}

/**
 * The user id (`sub`) of a valid access token (from the cache when it holds it), or
 * undefined when it does not verify. The socket.io baseline of case H verifies its
 * handshake's token with it.
 */
export async function tokenUser(token: string): Promise<string | undefined> {
  const known = verified?.get(token);
  if (known) return known;
  try {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    // `exp` and `sub` are required claims: jwtVerify has checked they are there.
    const ttl = Math.min((payload.exp as number) * 1000 - Date.now(), VERIFIED_TTL_MS);
    if (ttl > 0) verified?.set(token, payload.sub, { ttl });
    return payload.sub;
  } catch {
    return undefined;
  }
}
