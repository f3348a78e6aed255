import { Inject, Injectable } from '@nestjs/common';
import {
  ACCESS_TOKEN_TYPE,
  APP_CONFIG,
  bearerToken,
  SessionRevocations,
  type VerifiedAccessToken,
  verifyAccessToken,
} from '@app/platform';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';
import { SIGNING_ALGORITHM, SigningKeysService } from './signing-keys.service';
import { invalidAccessToken } from './tokens.errors';

/** Whom a token is for: the account, the session (`sid`) and the account's roles. */
export interface AccessTokenSubject {
  userId: string;
  email: string;
  sessionId: string;
  roles: readonly string[];
}

/** A freshly signed access token. */
export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

/**
 * Signs and verifies access tokens: ES256 JWTs with `typ: at+jwt`, verified by the
 * platform's {@link verifyAccessToken} — the check every service makes against the JWKS —
 * but against auth's own keys (rotated ones included) without an HTTP round trip. Like the
 * services, it refuses the tokens of a session that has ended (logout, reuse, deletion,
 * suspension), from the in-memory mirror of the shared revocation set.
 */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly revocations: SessionRevocations,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

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
    const user = await verifyAccessToken(token, this.keys.verificationKey, this.config.tokens);
    if (!user || this.revocations.isRevoked(user.sessionId)) throw invalidAccessToken();
    return user;
  }

  /** The user of an `Authorization: Bearer <access token>` value (header or metadata). */
  authenticate(authorization: string | undefined): Promise<VerifiedAccessToken> {
    return this.verify(bearerToken(authorization) ?? '');
  }
}
