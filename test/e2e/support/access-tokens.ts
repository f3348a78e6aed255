import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import { Client } from 'pg';
import type { TestUser } from './clients';
import { serviceEnv } from './stack';

/** An access token and its expiry in milliseconds since the epoch. */
export interface MintedToken {
  token: string;
  expiresAtMs: number;
}

/**
 * Signs access tokens exactly as auth does (ES256, `typ: at+jwt`, auth's issuer and
 * audience, a `kid` auth publishes) but with a lifetime of the test's choosing, so a spec
 * can watch a token expire in seconds instead of auth's fifteen minutes (a negative
 * lifetime gives an already expired token). The private key is the one that signed
 * `user`'s token, read from the e2e auth database, so any service verifies the result
 * against auth's real JWKS like a token auth issued.
 */
export async function mintAccessToken(
  user: TestUser,
  lifetimeSeconds: number,
): Promise<MintedToken> {
  const kid = decodeProtectedHeader(user.accessToken).kid;
  if (typeof kid !== 'string') throw new Error('the access token has no kid');
  const key = await signingKey(kid);
  // `exp` has whole seconds: round up so the token lives at least `lifetimeSeconds`.
  const expiresAt = Math.ceil(Date.now() / 1000) + lifetimeSeconds;
  // The session and roles of the user's token: the minted one belongs to the same session.
  const { sid, roles } = decodeJwt(user.accessToken);
  const token = await new SignJWT({ email: user.email, sid, roles })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setSubject(user.userId)
    .setIssuer('messenger-auth')
    .setAudience('messenger')
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(expiresAt)
    .sign(key);
  return { token, expiresAtMs: expiresAt * 1000 };
}

const keys = new Map<string, Promise<CryptoKey>>();

function signingKey(kid: string): Promise<CryptoKey> {
  let key = keys.get(kid);
  if (!key) {
    key = readPrivateKey(kid);
    keys.set(kid, key);
  }
  return key;
}

async function readPrivateKey(kid: string): Promise<CryptoKey> {
  const db = new Client({ connectionString: serviceEnv('auth').DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query<{ private_jwk: JWK }>(
      'SELECT private_jwk FROM signing_keys WHERE kid = $1',
      [kid],
    );
    if (rows.length === 0) throw new Error(`auth has no signing key ${kid}`);
    return (await importJWK(rows[0].private_jwk, 'ES256')) as CryptoKey;
  } finally {
    await db.end();
  }
}
