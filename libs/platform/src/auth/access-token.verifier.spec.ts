import { ErrorCodes } from '@app/contracts';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AccessTokenVerifier } from './access-token.verifier';

/** A real JWKS endpoint on 127.0.0.1, as auth serves it. */
async function jwksServer(jwks: object): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` };
}

describe('AccessTokenVerifier', () => {
  let server: Server;
  let verifier: AccessTokenVerifier;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const kid = 'key-1';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
    const started = await jwksServer({ keys: [jwk] });
    server = started.server;
    verifier = new AccessTokenVerifier({ jwksUrl: started.url, issuer: 'iss', audience: 'aud' });
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const token = (overrides: { typ?: string; iss?: string; exp?: number } = {}) =>
    new SignJWT({ email: 'a@example.test' })
      .setProtectedHeader({ alg: 'ES256', kid, typ: overrides.typ ?? 'at+jwt' })
      .setSubject('3f0e0f7e-8a55-4d8c-9b1c-7a4f0c3f8b11')
      .setIssuer(overrides.iss ?? 'iss')
      .setAudience('aud')
      .setIssuedAt()
      .setJti('j1')
      .setExpirationTime(overrides.exp ?? '5m')
      .sign(privateKey);

  it('accepts a valid access token and says whom it identifies', async () => {
    const user = await verifier.verify(await token());
    expect(user.userId).toBe('3f0e0f7e-8a55-4d8c-9b1c-7a4f0c3f8b11');
    expect(user.email).toBe('a@example.test');
  });

  it.each([
    ['a token of another type', () => token({ typ: 'JWT' })],
    ['a token from another issuer', () => token({ iss: 'evil' })],
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ['an unsigned token', () => Promise.resolve('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')],
    ['garbage', () => Promise.resolve('not-a-jwt')],
  ])('rejects %s as UNAUTHENTICATED', async (_name, make) => {
    await expect(verifier.verify(await make())).rejects.toMatchObject({
      kind: 'UNAUTHENTICATED',
      code: ErrorCodes.UNAUTHENTICATED,
    });
  });
});
