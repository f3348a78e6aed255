import { ErrorCodes } from '@app/contracts';
import {
  type CryptoKey,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWTHeaderParameters,
  SignJWT,
} from 'jose';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AccessTokenVerifier, assertAccessTokenHeader } from './access-token.verifier';

/** A real JWKS endpoint on 127.0.0.1, as auth serves it; counts the requests it gets. */
async function jwksServer(
  jwks: object,
): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    hits: () => hits,
  };
}

const base64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('AccessTokenVerifier', () => {
  let server: Server;
  let verifier: AccessTokenVerifier;
  let privateKey: CryptoKey;
  let publicPem: string;
  let attacker: Awaited<ReturnType<typeof generateKeyPair>>;
  const kid = 'key-1';
  const subject = '3f0e0f7e-8a55-4d8c-9b1c-7a4f0c3f8b11';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    attacker = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
    const started = await jwksServer({ keys: [jwk] });
    server = started.server;
    verifier = new AccessTokenVerifier({ jwksUrl: started.url, issuer: 'iss', audience: 'aud' });
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** A token like auth's, signed by `key`, with exactly the given parts changed. */
  const token = (
    overrides: {
      header?: Partial<JWTHeaderParameters>;
      iss?: string;
      aud?: string;
      exp?: number | null;
      key?: CryptoKey | Uint8Array;
    } = {},
  ) => {
    const jwt = new SignJWT({ email: 'a@example.test' })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...overrides.header })
      .setSubject(subject)
      .setIssuer(overrides.iss ?? 'iss')
      .setAudience(overrides.aud ?? 'aud')
      .setIssuedAt()
      .setJti('j1');
    if (overrides.exp !== null) jwt.setExpirationTime(overrides.exp ?? '5m');
    return jwt.sign(overrides.key ?? privateKey);
  };

  /** An unsigned token (`alg: none`) with otherwise valid header and claims. */
  const unsigned = () => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url({ alg: 'none', kid, typ: 'at+jwt' });
    const payload = base64url({
      sub: subject,
      email: 'a@example.test',
      iss: 'iss',
      aud: 'aud',
      iat: now,
      exp: now + 300,
      jti: 'j1',
    });
    return `${header}.${payload}.`;
  };

  it('accepts a valid access token and says whom it identifies', async () => {
    const user = await verifier.verify(await token());
    expect(user.userId).toBe(subject);
    expect(user.email).toBe('a@example.test');
  });

  it.each([
    ['a token of another type', () => token({ header: { typ: 'JWT' } })],
    ['a token from another issuer', () => token({ iss: 'evil' })],
    ['a token for another audience', () => token({ aud: 'someone-else' })],
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token without exp', () => token({ exp: null })],
    ['an unsigned token (alg: none)', () => Promise.resolve(unsigned())],
    [
      'an HS256 token whose secret is the public key (algorithm confusion)',
      () => token({ header: { alg: 'HS256' }, key: new TextEncoder().encode(publicPem) }),
    ],
    ['a token signed by a key that is not auth’s', () => token({ key: attacker.privateKey })],
    [
      'a token pointing at its own key set (jku)',
      () => token({ header: { jku: 'http://127.0.0.1:1/evil.json' }, key: attacker.privateKey }),
    ],
    [
      'a token pointing at its own certificate (x5u)',
      () => token({ header: { x5u: 'http://127.0.0.1:1/evil.pem' }, key: attacker.privateKey }),
    ],
    [
      'a token carrying its own key (jwk)',
      async () =>
        token({ header: { jwk: await exportJWK(attacker.publicKey) }, key: attacker.privateKey }),
    ],
    [
      'a genuine signature with a jku header added',
      () => token({ header: { jku: 'http://127.0.0.1:1/evil.json' } }),
    ],
    ['a kid with a path', () => token({ header: { kid: '../../../../dev/null' } })],
    ['a kid with an SQL payload', () => token({ header: { kid: "key-1' OR '1'='1" } })],
    ['a token without kid', () => token({ header: { kid: undefined } })],
    [
      'an opaque refresh token',
      () => Promise.resolve('q3Jk2mN8xYzW0vB5tL7pR9sD1fG4hJ6kA2cE8uI0oP3'),
    ],
    ['garbage', () => Promise.resolve('not-a-jwt')],
  ])('rejects %s as UNAUTHENTICATED', async (_name, make) => {
    await expect(verifier.verify(await make())).rejects.toMatchObject({
      kind: 'UNAUTHENTICATED',
      code: ErrorCodes.UNAUTHENTICATED,
    });
  });

  it('never fetches a URL a token names', async () => {
    const evil = await jwksServer({ keys: [await exportJWK(attacker.publicKey)] });
    try {
      const forged = await token({ header: { jku: evil.url }, key: attacker.privateKey });
      await expect(verifier.verify(forged)).rejects.toMatchObject({ kind: 'UNAUTHENTICATED' });
      expect(evil.hits()).toBe(0);
    } finally {
      await new Promise((resolve) => evil.server.close(resolve));
    }
  });

  describe('with verifiedTokenCacheSize', () => {
    let cached: AccessTokenVerifier;
    let signatureChecks: jest.SpyInstance;

    beforeEach(() => {
      cached = new AccessTokenVerifier({
        jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
        issuer: 'iss',
        audience: 'aud',
        verifiedTokenCacheSize: 2,
      });
      // Private, but the only way to see whether a signature was checked again.
      signatureChecks = jest.spyOn(cached as never, 'verifySignature');
    });

    afterEach(() => jest.restoreAllMocks());

    it('checks a token’s signature once and answers the same user after that', async () => {
      const jwt = await token();
      const first = await cached.verify(jwt);
      const second = await cached.verify(jwt);
      expect(second).toEqual(first);
      expect(second).not.toBe(first);
      expect(signatureChecks).toHaveBeenCalledTimes(1);
    });

    it('still rejects a token that differs from a cached one in its signature', async () => {
      const jwt = await token();
      await cached.verify(jwt);
      const tampered = jwt.slice(0, -2) + (jwt.endsWith('AA') ? 'BB' : 'AA');
      await expect(cached.verify(tampered)).rejects.toMatchObject({ kind: 'UNAUTHENTICATED' });
    });

    it('checks again after a minute, and never trusts a token past its exp', async () => {
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now');
      const longLived = await token();
      const shortLived = await token({ exp: Math.floor(now / 1000) + 10 });
      clock.mockReturnValue(now);
      await cached.verify(longLived);
      await cached.verify(shortLived);
      clock.mockReturnValue(now + 11_000);
      await cached.verify(longLived);
      await cached.verify(shortLived).catch(() => undefined);
      expect(signatureChecks).toHaveBeenCalledTimes(3);
      clock.mockReturnValue(now + 61_000);
      await cached.verify(longLived);
      expect(signatureChecks).toHaveBeenCalledTimes(4);
    });

    it('keeps at most the configured number of tokens, dropping the oldest', async () => {
      const [a, b, c] = await Promise.all([token(), token({ aud: 'aud' }), token()]);
      for (const jwt of [a, b, c, c, b, a]) await cached.verify(jwt);
      // a, b, c checked; c and b still cached; a was dropped when c came in.
      expect(signatureChecks).toHaveBeenCalledTimes(4);
    });

    it('does not remember failures', async () => {
      const forged = await token({ key: attacker.privateKey });
      await expect(cached.verify(forged)).rejects.toMatchObject({ kind: 'UNAUTHENTICATED' });
      await expect(cached.verify(forged)).rejects.toMatchObject({ kind: 'UNAUTHENTICATED' });
      expect(signatureChecks).toHaveBeenCalledTimes(2);
    });
  });
});

describe('assertAccessTokenHeader', () => {
  it('accepts the header auth writes', () => {
    expect(() =>
      assertAccessTokenHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'Ab_9-xYz' }),
    ).not.toThrow();
  });

  it.each(['jku', 'jwk', 'x5u', 'x5c'])('refuses a header carrying %s', (member) => {
    expect(() => assertAccessTokenHeader({ alg: 'ES256', kid: 'k', [member]: 'x' })).toThrow(
      member,
    );
  });
});
