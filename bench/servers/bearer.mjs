// The access-token check the HTTP baselines share with the product: the Bearer token of a
// request verified with jose against auth's JWKS, with the options of libs/platform's
// AccessTokenVerifier (ES256, issuer, audience, `typ: at+jwt`, required claims).
// Env: JWKS_URL, JWT_ISSUER, JWT_AUDIENCE.

import { createLocalJWKSet, jwtVerify } from 'jose';

const { JWKS_URL, JWT_ISSUER, JWT_AUDIENCE } = process.env;
const jwks = createLocalJWKSet(await (await fetch(JWKS_URL)).json());

/**
 * The user id (`sub`) of the request's valid access token, or undefined when the header
 * is missing or the token does not verify.
 * @param {import('node:http').IncomingMessage} req
 * @returns {Promise<string | undefined>}
 */
export async function bearerUser(req) {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  try {
    const { payload } = await jwtVerify(match?.[1] ?? '', jwks, {
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithms: ['ES256'],
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp', 'iat', 'jti'],
    });
    return payload.sub;
  } catch {
    return undefined;
  }
}
