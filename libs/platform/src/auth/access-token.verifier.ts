import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import {
  createRemoteJWKSet,
  type JWTHeaderParameters,
  jwtVerify,
  type JWTVerifyGetKey,
} from 'jose';
import { DomainError } from '../errors/domain-error';

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

/** Who an access token identifies. */
export interface AuthenticatedUser {
  userId: string;
  email: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/**
 * Verifies access tokens locally against auth's JWKS (fetched once, cached, refetched
 * when an unknown `kid` shows up after a key rotation), so no service calls auth per
 * request.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly verified?: VerifiedTokenCache;

  constructor(
    @Inject(TOKEN_VERIFICATION_OPTIONS) private readonly options: TokenVerificationOptions,
  ) {
    const remote = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 3_000,
    });
    // jose has already refused algorithms outside the pinned list when it asks for a key.
    this.keys = (header, token) => {
      assertAccessTokenHeader(header);
      return remote(header, token);
    };
    if (options.verifiedTokenCacheSize) {
      this.verified = new VerifiedTokenCache(options.verifiedTokenCacheSize);
    }
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    const known = this.verified?.get(token);
    if (known) return known;
    const user = await this.verifySignature(token);
    this.verified?.set(token, user);
    return user;
  }

  private async verifySignature(token: string): Promise<AuthenticatedUser> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !payload.exp) {
        throw new Error('missing claims');
      }
      return { userId: payload.sub, email: payload.email, expiresAt: payload.exp };
    } catch {
      // The reason (expired, bad signature, unknown kid…) is not for the caller.
      throw new DomainError(
        'UNAUTHENTICATED',
        ErrorCodes.UNAUTHENTICATED,
        'Invalid or expired access token',
      );
    }
  }
}

/**
 * Tokens that passed verification, keyed by the whole token string (so a token differing
 * in any byte, signature included, is verified afresh), each until the earlier of its
 * `exp` and {@link VERIFIED_TOKEN_TTL_MS} from now. Failures are never cached. Bounded:
 * when full, the oldest entry goes.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { user: AuthenticatedUser; until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(token: string): AuthenticatedUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (Date.now() >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    // A copy: callers may attach the user to a request and change it.
    return { ...entry.user };
  }

  set(token: string, user: AuthenticatedUser): void {
    // jose refuses a token once `now >= exp` (seconds), i.e. from exp * 1000 ms on.
    const until = Math.min(user.expiresAt * 1000, Date.now() + VERIFIED_TOKEN_TTL_MS);
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { user: { ...user }, until });
  }
}

/** Extracts the token of an `Authorization: Bearer <token>` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}
