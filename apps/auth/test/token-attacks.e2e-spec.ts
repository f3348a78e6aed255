import { ErrorCodes } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import {
  type CryptoKey,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  SignJWT,
} from 'jose';
import type { Client } from 'pg';
import { type AuthGrpcClient, authClient } from '../../../test/e2e/support/clients';
import { stack } from '../../../test/e2e/support/stack';
import { authDatabase, errorCode, failure, newUser } from './helpers';

/**
 * Forged access tokens against `ValidateToken`. The worst case is assumed: the attacker
 * holds auth's real private key (read here from auth's database) and still must not get a
 * token accepted that breaks any rule — nor one signed by a key of their own choosing.
 */
describe('auth ValidateToken against forged tokens', () => {
  let auth: AuthGrpcClient;
  let db: Client;
  let user: { userId: string; email: string; accessToken: string; refreshToken: string };
  let kid: string;
  let realKey: CryptoKey;
  let publicJwk: JWK;
  let stranger: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    auth = authClient();
    db = await authDatabase();
    const registration = newUser('attack');
    const tokens = await auth.register(registration);
    user = { ...tokens, email: registration.email };
    kid = decodeProtectedHeader(tokens.accessToken).kid as string;
    const { rows } = await db.query<{ private_jwk: JWK; public_jwk: JWK }>(
      'SELECT private_jwk, public_jwk FROM signing_keys WHERE kid = $1',
      [kid],
    );
    realKey = (await importJWK(rows[0].private_jwk, 'ES256')) as CryptoKey;
    publicJwk = rows[0].public_jwk;
    stranger = await generateKeyPair('ES256', { extractable: true });
  });

  afterAll(async () => {
    auth.close();
    await db.end();
  });

  /** A token exactly like auth's, signed by `key`, with the given parts changed. */
  function forge(
    overrides: {
      header?: Partial<JWTHeaderParameters>;
      iss?: string;
      aud?: string;
      exp?: number | null;
      key?: CryptoKey | Uint8Array;
    } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...overrides.header })
      .setSubject(user.userId)
      .setIssuer(overrides.iss ?? 'messenger-auth')
      .setAudience(overrides.aud ?? 'messenger')
      .setIssuedAt(now)
      .setJti('forged');
    if (overrides.exp !== null) jwt.setExpirationTime(overrides.exp ?? now + 600);
    return jwt.sign(overrides.key ?? realKey);
  }

  function unsigned(): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = {
      sub: user.userId,
      email: user.email,
      iss: 'messenger-auth',
      aud: 'messenger',
      iat: now,
      exp: now + 600,
      jti: 'forged',
    };
    return `${part({ alg: 'none', kid, typ: 'at+jwt' })}.${part(claims)}.`;
  }

  it('accepts a token built like auth’s with its key (the forgeries below differ in one rule)', async () => {
    await expect(auth.validateToken({ accessToken: await forge() })).resolves.toMatchObject({
      userId: user.userId,
    });
  });

  it.each<[string, () => Promise<string> | string]>([
    ['alg: none', () => unsigned()],
    [
      'HS256 keyed with the published public key (PEM)',
      async () => {
        const pem = await exportSPKI((await importJWK(publicJwk, 'ES256')) as CryptoKey);
        return forge({ header: { alg: 'HS256' }, key: new TextEncoder().encode(pem) });
      },
    ],
    [
      'HS256 keyed with the published JWK',
      async () => {
        const response = await fetch(`${stack.auth.http}/.well-known/jwks.json`);
        const { keys } = (await response.json()) as { keys: JWK[] };
        const published = JSON.stringify(keys.find((k) => k.kid === kid));
        return forge({ header: { alg: 'HS256' }, key: new TextEncoder().encode(published) });
      },
    ],
    ['another issuer', () => forge({ iss: 'evil-auth' })],
    ['another audience', () => forge({ aud: 'another-app' })],
    ['typ JWT instead of at+jwt', () => forge({ header: { typ: 'JWT' } })],
    ['an expiry in the past', () => forge({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['no exp', () => forge({ exp: null })],
    ['a jku header', () => forge({ header: { jku: 'http://127.0.0.1:1/jwks.json' } })],
    ['an x5u header', () => forge({ header: { x5u: 'http://127.0.0.1:1/cert.pem' } })],
    [
      'its own embedded jwk',
      async () =>
        forge({ header: { jwk: await exportJWK(stranger.publicKey) }, key: stranger.privateKey }),
    ],
    ['a stranger’s signature', () => forge({ key: stranger.privateKey })],
    ['a kid with a path', () => forge({ header: { kid: '../../../../dev/null' } })],
    ['a kid with an SQL payload', () => forge({ header: { kid: "x' OR '1'='1" } })],
  ])('answers UNAUTHENTICATED for a token with %s', async (_case, make) => {
    const error = await failure(auth.validateToken({ accessToken: await make() }));
    expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(errorCode(error)).toBe(ErrorCodes.AUTH_INVALID_TOKEN);
  });

  it('never accepts a refresh token as an access token, nor an access token as a refresh token', async () => {
    const asAccess = await failure(auth.validateToken({ accessToken: user.refreshToken }));
    expect(asAccess.code).toBe(grpc.status.UNAUTHENTICATED);

    const asRefresh = await failure(auth.refresh({ refreshToken: user.accessToken }));
    expect(asRefresh.code).toBe(grpc.status.UNAUTHENTICATED);
    // …and the session the real refresh token belongs to is untouched.
    await expect(auth.refresh({ refreshToken: user.refreshToken })).resolves.toMatchObject({
      userId: user.userId,
    });
  });
});

describe('auth Refresh under concurrency', () => {
  let auth: AuthGrpcClient;
  beforeAll(() => {
    auth = authClient();
  });
  afterAll(() => auth.close());

  it('parallel refreshes with one token yield at most one valid successor', async () => {
    const tokens = await auth.register(newUser('race'));

    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () => auth.refresh({ refreshToken: tokens.refreshToken })),
    );
    const successors = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
    expect(successors.length).toBeLessThanOrEqual(1);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') {
        expect((attempt.reason as grpc.ServiceError).code).toBe(grpc.status.UNAUTHENTICATED);
      }
    }

    const stillValid = await Promise.allSettled(
      successors.map((s) => auth.refresh({ refreshToken: s.refreshToken })),
    );
    expect(stillValid.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
  });
});
