import { Inject, Injectable } from '@nestjs/common';
import {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_TYPE,
  APP_CONFIG,
  assertAccessTokenHeader,
  type AuthenticatedUser,
  bearerToken,
  SessionRevocations,
} from '@app/platform';
import { type JWTHeaderParameters, jwtVerify, SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { SIGNING_ALGORITHM, SigningKeysService } from './signing-keys.service';
import { invalidAccessToken } from './tokens.errors';

/** Longest access token worth parsing; real ones are well under 1 KiB. */
const MAX_TOKEN_LENGTH = 4096;

/** Whom a token is for: the account, the session (`sid`) and the account's roles. */
export interface AccessTokenSubject {
  userId: string;
  email: string;
  sessionId: string;
  roles: readonly string[];
}

/** Whom a valid access token identifies, with its session and roles always set. */
export type VerifiedAccessToken = AuthenticatedUser & { roles: string[] };

/** A freshly signed access token. */
export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

/**
 * Signs and verifies access tokens: ES256 JWTs with `typ: at+jwt`, verified by the same
 * rules as `AccessTokenVerifier` of `@app/platform` (which other services use against
 * the JWKS), but against auth's own keys without an HTTP round trip. Like it, verification
 * refuses the tokens of a session that has ended (logout, reuse, deletion, suspension),
 * from the in-memory mirror of the shared revocation set.
 */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly revocations: SessionRevocations,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Header policy first (no key-bearing members, a plain kid), then our keys by kid. */
  private readonly verificationKey = (header: JWTHeaderParameters) => {
    assertAccessTokenHeader(header);
    return this.keys.verificationKey(header);
  };

  async issue(subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const { kid, key } = this.keys.signingKey();
    const { issuer, audience, accessTtlSeconds } = this.config.tokens;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      email: subject.email,
      sid: subject.sessionId,
      roles: [...subject.roles],
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(subject.userId)
      .setIssuedAt(now)
      .setExpirationTime(now + accessTtlSeconds)
      .setJti(randomUUID())
      .sign(key);
    return { token, expiresIn: accessTtlSeconds };
  }

  /**
   * Whom a valid token identifies; any failure — a session that has ended included — is
   * one UNAUTHENTICATED error.
   */
  async verify(token: string): Promise<VerifiedAccessToken> {
    if (!token || token.length > MAX_TOKEN_LENGTH) throw invalidAccessToken();
    let user: VerifiedAccessToken;
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
      user = {
        userId: payload.sub,
        email: payload.email,
        expiresAt: payload.exp,
        sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
        roles: Array.isArray(payload.roles)
          ? payload.roles.filter((role): role is string => typeof role === 'string')
          : ['user'],
      };
    } catch {
      // Why it failed (expired, bad signature, unknown kid) is not for the caller.
      throw invalidAccessToken();
    }
    if (this.revocations.isRevoked(user.sessionId)) throw invalidAccessToken();
    return user;
  }

  /** The user of an `Authorization: Bearer <access token>` value (header or metadata). */
  authenticate(authorization: string | undefined): Promise<VerifiedAccessToken> {
    return this.verify(bearerToken(authorization) ?? '');
  }
}
