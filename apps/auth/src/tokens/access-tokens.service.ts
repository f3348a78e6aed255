import { Inject, Injectable } from '@nestjs/common';
import {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  APP_CONFIG,
  assertAccessTokenHeader,
  type AuthenticatedUser,
} from '@app/platform';
import { type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { SIGNING_ALGORITHM, SigningKeysService } from './signing-keys.service';
import { invalidAccessToken } from './tokens.errors';

/** Longest access token worth parsing; real ones are well under 1 KiB. */
const MAX_TOKEN_LENGTH = 4096;

/** A freshly signed access token. */
export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

/**
 * Signs and verifies access tokens: ES256 JWTs with `typ: at+jwt`, verified by the same
 * rules as `AccessTokenVerifier` of `@app/platform` (which other services use against
 * the JWKS), but against auth's own keys without an HTTP round trip.
 */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Header policy first (no key-bearing members, a plain kid), then our keys by kid. */
  private readonly verificationKey = (header: JWTHeaderParameters) => {
    assertAccessTokenHeader(header);
    return this.keys.verificationKey(header);
  };

  async issue(user: { userId: string; email: string }): Promise<IssuedAccessToken> {
    const { kid, key } = this.keys.signingKey();
    const { issuer, audience, accessTtlSeconds } = this.config.tokens;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(user.userId)
      .setIssuedAt(now)
      .setExpirationTime(now + accessTtlSeconds)
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresIn: accessTtlSeconds };
  }

  /** Whom a valid token identifies; any failure is one UNAUTHENTICATED error. */
  async verify(token: string): Promise<AuthenticatedUser> {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw invalidAccessToken();
    try {
      const { payload } = await jwtVerify(token, this.verificationKey, {
        issuer: this.config.tokens.issuer,
        audience: this.config.tokens.audience,
        algorithms: ACCESS_TOKEN_ALGORITHMS,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.email !== 'string' || !payload.exp) {
        throw new Error('missing claims');
      }
      return { userId: payload.sub, email: payload.email, expiresAt: payload.exp };
    } catch {
      // Why it failed (expired, bad signature, unknown kid) is not for the caller.
      throw invalidAccessToken();
    }
  }
}
