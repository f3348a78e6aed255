import { Test } from '@nestjs/testing';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import { type CryptoKey, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import type { AuthConfig } from '../config/auth.config';
import { AccessTokensService } from './access-tokens.service';
import { SigningKeysService } from './signing-keys.service';

const USER = { userId: '5d1e2c1a-7f0e-4b8e-9a55-0c1f1c0b6a11', email: 'alice@example.test' };
const config = {
  tokens: { issuer: 'messenger-auth', audience: 'messenger', accessTtlSeconds: 900 },
} as AuthConfig;

async function setup() {
  const pair = await generateKeyPair('ES256');
  const keys: Pick<SigningKeysService, 'signingKey' | 'verificationKey'> = {
    signingKey: () => ({ kid: 'kid-1', key: pair.privateKey }),
    verificationKey: (header) =>
      header.kid === 'kid-1'
        ? Promise.resolve(pair.publicKey)
        : Promise.reject(new Error('unknown kid')),
  };
  const moduleRef = await Test.createTestingModule({
    providers: [
      AccessTokensService,
      { provide: SigningKeysService, useValue: keys },
      { provide: APP_CONFIG, useValue: config },
    ],
  }).compile();
  return { service: moduleRef.get(AccessTokensService), privateKey: pair.privateKey };
}

/** A token like ours, with parts overridden to break exactly one rule. */
function forge(
  key: CryptoKey,
  overrides: { typ?: string; kid?: string; aud?: string; iss?: string; exp?: number } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: USER.email })
    .setProtectedHeader({
      alg: 'ES256',
      kid: overrides.kid ?? 'kid-1',
      typ: overrides.typ ?? 'at+jwt',
    })
    .setIssuer(overrides.iss ?? 'messenger-auth')
    .setAudience(overrides.aud ?? 'messenger')
    .setSubject(USER.userId)
    .setIssuedAt(now - 10)
    .setExpirationTime(overrides.exp ?? now + 900)
    .setJti('jti-1')
    .sign(key);
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

  it.each([
    ['another typ', { typ: 'JWT' }],
    ['an unknown kid', { kid: 'kid-2' }],
    ['another audience', { aud: 'someone-else' }],
    ['another issuer', { iss: 'someone-else' }],
    ['an expiry in the past', { exp: Math.floor(Date.now() / 1000) - 120 }],
  ])('refuses a token with %s', async (_case, overrides) => {
    const { service, privateKey } = await setup();
    await expectRefused(service.verify(await forge(privateKey, overrides)));
  });

  it('refuses a token signed by a key that is not ours', async () => {
    const { service } = await setup();
    const stranger = await generateKeyPair('ES256');
    await expectRefused(service.verify(await forge(stranger.privateKey)));
  });

  it('refuses an HS256 token even if its secret were guessed', async () => {
    const { service } = await setup();
    const token = await new SignJWT({ email: USER.email })
      .setProtectedHeader({ alg: 'HS256', kid: 'kid-1', typ: 'at+jwt' })
      .setSubject(USER.userId)
      .setIssuer('messenger-auth')
      .setAudience('messenger')
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti('x')
      .sign(new TextEncoder().encode('secret-secret-secret-secret-32b!'));
    await expectRefused(service.verify(token));
  });

  it('refuses garbage and empty strings', async () => {
    const { service } = await setup();
    await expectRefused(service.verify('not.a.jwt'));
    await expectRefused(service.verify(''));
  });
});
