import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError, SessionRevocations } from '@app/platform';
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTHeaderParameters,
  SignJWT,
} from 'jose';
import type { AuthConfig } from '../config/auth.config';
import { AccessTokensService } from './access-tokens.service';
import { SigningKeysService } from './signing-keys.service';

const USER = {
  userId: '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11',
  email: 'alice@example.test',
  sessionId: '0b0c7b1e-8d2f-4e77-a0a6-3f7c1d2e4b55',
  roles: ['user', 'admin'],
};
const config = {
  tokens: { issuer: 'messenger-auth', audience: 'messenger', accessTtlSeconds: 900 },
} as AuthConfig;

async function setup() {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const keys: Pick<SigningKeysService, 'signingKey' | 'verificationKey'> = {
    signingKey: () => ({ kid: 'kid-1', key: pair.privateKey }),
    verificationKey: (header) =>
      header.kid === 'kid-1'
        ? Promise.resolve(pair.publicKey)
        : Promise.reject(new Error('unknown kid')),
  };
  const revoked = new Set<string>();
  const revocations: Pick<SessionRevocations, 'isRevoked'> = {
    isRevoked: (sessionId) => sessionId !== undefined && revoked.has(sessionId),
  };
  const moduleRef = await Test.createTestingModule({
    providers: [
      AccessTokensService,
      { provide: SigningKeysService, useValue: keys },
      { provide: SessionRevocations, useValue: revocations },
      { provide: APP_CONFIG, useValue: config },
    ],
  }).compile();
  return {
    service: moduleRef.get(AccessTokensService),
    revoked,
    privateKey: pair.privateKey,
    publicPem: await exportSPKI(pair.publicKey),
    stranger: await generateKeyPair('ES256', { extractable: true }),
  };
}

type Keys = Awaited<ReturnType<typeof setup>>;

/** A token like ours, with parts overridden to break exactly one rule. */
function forge(
  key: CryptoKey | Uint8Array,
  overrides: {
    header?: Partial<JWTHeaderParameters>;
    aud?: string;
    iss?: string;
    exp?: number | null;
  } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ email: USER.email })
    .setProtectedHeader({ alg: 'ES256', kid: 'kid-1', typ: 'at+jwt', ...overrides.header })
    .setIssuer(overrides.iss ?? 'messenger-auth')
    .setAudience(overrides.aud ?? 'messenger')
    .setSubject(USER.userId)
    .setIssuedAt(now - 10)
    .setJti('jti-1');
  if (overrides.exp !== null) jwt.setExpirationTime(overrides.exp ?? now + 900);
  return jwt.sign(key);
}

/** `alg: none`: a valid header and claims, and no signature. */
function unsigned(): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    sub: USER.userId,
    email: USER.email,
    iss: 'messenger-auth',
    aud: 'messenger',
    iat: now,
    exp: now + 900,
    jti: 'jti-1',
  };
  return `${part({ alg: 'none', kid: 'kid-1', typ: 'at+jwt' })}.${part(claims)}.`;
}

async function expectRefused(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error).toMatchObject({ kind: 'UNAUTHENTICATED', code: ErrorCodes.AUTH_INVALID_TOKEN });
}

describe('AccessTokensService', () => {
  it('issues an ES256 at+jwt with kid that it verifies back', async () => {
    const { service } = await setup();

    const issued = await service.issue(USER);

    expect(issued.expiresIn).toBe(900);
    expect(decodeProtectedHeader(issued.token)).toEqual({
      alg: 'ES256',
      kid: 'kid-1',
      typ: 'at+jwt',
    });
    const user = await service.verify(issued.token);
    expect(user.userId).toBe(USER.userId);
    expect(user.email).toBe(USER.email);
    expect(user.expiresAt - Math.floor(Date.now() / 1000)).toBeGreaterThan(890);
  });

  it('carries the session as `sid` and the roles as `roles`, and reads them back', async () => {
    const { service } = await setup();

    const issued = await service.issue(USER);

    expect(decodeJwt(issued.token)).toMatchObject({
      sid: USER.sessionId,
      roles: ['user', 'admin'],
    });
    await expect(service.verify(issued.token)).resolves.toMatchObject({
      sessionId: USER.sessionId,
      roles: ['user', 'admin'],
    });
  });

  it('refuses a valid token once its session has ended', async () => {
    const { service, revoked } = await setup();
    const issued = await service.issue(USER);
    await expect(service.verify(issued.token)).resolves.toBeDefined();

    revoked.add(USER.sessionId);

    await expectRefused(service.verify(issued.token));
    await expectRefused(service.authenticate(`Bearer ${issued.token}`));
  });

  it('reads a Bearer authorization value, and refuses any other', async () => {
    const { service } = await setup();
    const issued = await service.issue(USER);

    await expect(service.authenticate(`Bearer ${issued.token}`)).resolves.toMatchObject({
      userId: USER.userId,
    });
    await expectRefused(service.authenticate(undefined));
    await expectRefused(service.authenticate(issued.token));
    await expectRefused(service.authenticate(`Basic ${issued.token}`));
  });

  it('gives a token without roles (issued before roles existed) the role user only', async () => {
    const { service, privateKey } = await setup();

    await expect(service.verify(await forge(privateKey))).resolves.toMatchObject({
      roles: ['user'],
      sessionId: undefined,
    });
  });

  it.each<[string, (keys: Keys) => Promise<string> | string]>([
    ['another typ', ({ privateKey }) => forge(privateKey, { header: { typ: 'JWT' } })],
    ['an unknown kid', ({ privateKey }) => forge(privateKey, { header: { kid: 'kid-2' } })],
    ['another audience', ({ privateKey }) => forge(privateKey, { aud: 'someone-else' })],
    ['another issuer', ({ privateKey }) => forge(privateKey, { iss: 'someone-else' })],
    [
      'an expiry in the past',
      ({ privateKey }) => forge(privateKey, { exp: Math.floor(Date.now() / 1000) - 120 }),
    ],
    ['no exp', ({ privateKey }) => forge(privateKey, { exp: null })],
    ['alg none', () => unsigned()],
    [
      'HS256 keyed with our public key',
      ({ publicPem }) => forge(new TextEncoder().encode(publicPem), { header: { alg: 'HS256' } }),
    ],
    ['a signature by a stranger', ({ stranger }) => forge(stranger.privateKey)],
    [
      'a jku header',
      ({ stranger }) =>
        forge(stranger.privateKey, { header: { jku: 'http://127.0.0.1:1/jwks.json' } }),
    ],
    [
      'an x5u header',
      ({ stranger }) => forge(stranger.privateKey, { header: { x5u: 'http://127.0.0.1:1/x.pem' } }),
    ],
    [
      'an embedded jwk',
      async ({ stranger }) =>
        forge(stranger.privateKey, { header: { jwk: await exportJWK(stranger.publicKey) } }),
    ],
    [
      'a jku header on a genuine signature',
      ({ privateKey }) => forge(privateKey, { header: { jku: 'http://127.0.0.1:1/jwks.json' } }),
    ],
    [
      'a kid with a path',
      ({ privateKey }) => forge(privateKey, { header: { kid: '../../etc/passwd' } }),
    ],
    [
      'a kid with an SQL payload',
      ({ privateKey }) => forge(privateKey, { header: { kid: "kid-1' OR '1'='1" } }),
    ],
    ['a refresh token in its place', () => 'q3Jk2mN8xYzW0vB5tL7pR9sD1fG4hJ6kA2cE8uI0oP3'],
  ])('refuses a token with %s', async (_case, make) => {
    const keys = await setup();
    await expectRefused(keys.service.verify(await make(keys)));
  });

  it('refuses garbage and empty strings', async () => {
    const { service } = await setup();
    await expectRefused(service.verify('not.a.jwt'));
    await expectRefused(service.verify(''));
  });
});
