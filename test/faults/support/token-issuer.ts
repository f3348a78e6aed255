/**
 * Stands in for auth's token issuing: an ES256 key whose public half is served as a JWKS
 * (the services are pointed at it with `AUTH_JWKS_URL`), and access tokens signed with it
 * exactly as auth's contract describes (`typ: at+jwt`, `kid`, issuer, audience, `sub`,
 * `email`, `jti`). auth is not under test here; leaving it out saves a process (and its
 * password hashing) on a small machine.
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { ports } from './layout';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export class TokenIssuer {
  readonly jwksUrl = `http://127.0.0.1:${ports.issuer}/.well-known/jwks.json`;
  private server?: Server;
  private key?: { privateKey: PrivateKey; kid: string };

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk: JWK = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    this.key = { privateKey, kid };
    const body = JSON.stringify({ keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] });
    this.server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(ports.issuer, '127.0.0.1', resolve));
  }

  /** An access token of `userId`, valid for an hour. */
  async token(userId: string): Promise<string> {
    if (!this.key) throw new Error('TokenIssuer not started');
    return new SignJWT({ email: `${userId.slice(0, 8)}@faults.test` })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: this.key.kid })
      .setSubject(userId)
      .setIssuer('messenger-auth')
      .setAudience('messenger')
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti(randomUUID())
      .sign(this.key.privateKey);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
