import { Inject, Injectable, Optional } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import {
  createRemoteJWKSet,
  type JWTHeaderParameters,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { DomainError } from '../errors/domain-error';
import { SessionRevocations } from './session-revocations';

/** The JOSE header `typ` of access tokens; refresh tokens are opaque and never JWTs. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The only signature algorithm accepted: pinned so `alg: none`/HS256 tricks fail. */
export const ACCESS_TOKEN_ALGORITHMS = ['ES256'];

/**
 * Header members that let a token point at, or carry, its own verification key. auth never
 * sets them; a token that does is forged, so it is refused before any key is looked up.
 */
const KEY_BEARING_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;
/** auth's key ids are RFC 7638 thumbprints (base64url); a path or SQL payload is not one. */
const KID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Refuses a JOSE header that auth would never have written: a key-bearing member
 * (`jku`, `jwk`, `x5u`, `x5c`) or a `kid` that is missing or not a plain key id. Key
 * lookup only ever happens by a well-formed `kid` against keys the verifier already trusts.
 * Throws a plain Error; callers fold it into their one UNAUTHENTICATED answer.
 */
export function assertAccessTokenHeader(header: JWTHeaderParameters): void {
  for (const member of KEY_BEARING_HEADERS) {
    if (member in header) throw new Error(`token header carries ${member}`);
  }
  if (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid)) {
    throw new Error('token header has no well-formed kid');
  }
}

export interface TokenVerificationOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /**
   * How many verified tokens to remember (0 or absent: none). Worth it for HTTP APIs,
   * where a client sends the same token with every request; pointless for socket.io,
   * which verifies a token once per connection.
   */
  verifiedTokenCacheSize?: number;
}

/**
 * Longest a verified token is taken on trust without checking its signature again: well
 * under the JWKS cache age (10 min), so a key auth withdraws stops working about as soon
 * as without the cache. Never beyond the token's own `exp`.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
export const TOKEN_VERIFICATION_OPTIONS = Symbol('TOKEN_VERIFICATION_OPTIONS');

/** Longest access token worth parsing; real ones are well under 1 KiB. */
const MAX_TOKEN_LENGTH = 4096;

/** Who an access token identifies. */
export interface AuthenticatedUser {
  userId: string;
  email: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
  /** The session (one per login, kept across refreshes); absent in tokens older than sessions. */
  sessionId?: string;
  /** `user`, plus `admin` for administrators (always set by {@link AccessTokenVerifier}). */
  roles?: string[];
}

/** Whom a verified access token identifies, with its roles always set. */
export type VerifiedAccessToken = AuthenticatedUser & { roles: string[] };

/**
 * The one check of an access token, for the services (against auth's JWKS) and for auth
 * itself (against its own keys): the header policy of {@link assertAccessTokenHeader}, a
 * signature by a key `keys` finds by `kid`, the pinned algorithm and `typ`, `issuer`,
 * `audience`, expiry and the claims auth always sets. Undefined when any of it fails: why
 * (expired, bad signature, unknown kid…) is not for the caller, who answers with its own
 * UNAUTHENTICATED error. Revocation is the caller's to check.
 */
export async function verifyAccessToken(
  token: string,
  keys: JWTVerifyGetKey,
  expected: { issuer: string; audience: string },
): Promise<VerifiedAccessToken | undefined> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
  try {
    // jose has already refused algorithms outside the pinned list when it asks for a key.
    const { payload } = await jwtVerify(
      token,
      (header, jws) => {
        assertAccessTokenHeader(header);
        return keys(header, jws);
      },
      {
        issuer: expected.issuer,
        audience: expected.audience,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      },
    );
    if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !payload.exp) {
      return undefined;
    }
    return {
      userId: payload.sub,
      email: payload.email,
      expiresAt: payload.exp,
      sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
      roles: Array.isArray(payload.roles)
        ? payload.roles.filter((role): role is string => typeof role === 'string')
        : ['user'],
    };
  } catch {
    return undefined;
  }
}

/**
 * Verifies access tokens locally against auth's JWKS (fetched once, cached, refetched
 * when an unknown `kid` shows up after a key rotation), so no service calls auth per
 * request.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  /**
   * Tokens that passed verification, keyed by the whole token string (so a token differing
   * in any byte, signature included, is verified afresh), each until the earlier of its
   * `exp` and {@link VERIFIED_TOKEN_TTL_MS}; failures are never cached. Least recently
   * used entries go first when full.
   */
  private readonly verified?: LRUCache<string, AuthenticatedUser>;

  constructor(
    @Inject(TOKEN_VERIFICATION_OPTIONS) private readonly options: TokenVerificationOptions,
    @Optional() private readonly revocations?: SessionRevocations,
  ) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 3_000,
    });
    if (options.verifiedTokenCacheSize) {
      this.verified = new LRUCache({
        max: options.verifiedTokenCacheSize,
        // The same clock as the `exp` check, read on every lookup (no cached time).
        perf: { now: () => Date.now() },
        ttlResolution: 0,
      });
    }
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    const known = this.verified?.get(token);
    // A copy: callers may attach the user to a request and change it.
    if (known) return { ...this.unlessRevoked(known), roles: [...(known.roles ?? [])] };
    const user = this.unlessRevoked(await this.verifySignature(token));
    // jose refuses a token once `now >= exp` (seconds), i.e. from exp * 1000 ms on.
    const ttl = Math.min(user.expiresAt * 1000 - Date.now(), VERIFIED_TOKEN_TTL_MS);
    if (ttl > 0) this.verified?.set(token, { ...user }, { ttl });
    return user;
  }

  /** A token of an ended session is refused like an expired one (no I/O: see SessionRevocations). */
  private unlessRevoked(user: AuthenticatedUser): AuthenticatedUser {
    if (this.revocations?.isRevoked(user.sessionId)) {
      throw new DomainError('UNAUTHENTICATED', ErrorCodes.UNAUTHENTICATED, 'The session has ended');
    }
    return user;
  }

  private async verifySignature(token: string): Promise<AuthenticatedUser> {
    const user = await verifyAccessToken(token, this.keys, this.options);
    if (!user) {
      throw new DomainError(
        'UNAUTHENTICATED',
        ErrorCodes.UNAUTHENTICATED,
        'Invalid or expired access token',
      );
    }
    return user;
  }
}

/** Extracts the token of an `Authorization: Bearer <token>` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
