// A real OAuth2 authorization server on loopback (oauth2-mock-server), run as its own
// process because the package is ESM-only. Usage: node oauth-provider.mjs <port>
//
// The test plays the browser and chooses who logs in by adding `login_hint=<subject>` to
// the authorization URL; that subject becomes the access token's `sub`, and the user-info
// endpoint answers `{sub, email: <subject>@oauth.example.test, email_verified, ...}`.
// A hint ending in `-unverified` yields `email_verified: false`.
import { OAuth2Server } from 'oauth2-mock-server';

const port = Number(process.argv[2]);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');

const hintOfCode = new Map();

server.service.on('beforeAuthorizeRedirect', (redirect, req) => {
  const hint = new URL(req.url, 'http://localhost').searchParams.get('login_hint');
  const code = redirect.url.searchParams.get('code');
  if (hint && code) hintOfCode.set(code, hint);
});

server.service.on('beforeTokenSigning', (token, req) => {
  const hint = hintOfCode.get(req.body?.code);
  if (hint) token.payload.sub = hint;
});

server.service.on('beforeUserinfo', (response, req) => {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer) {
    response.statusCode = 401;
    response.body = { error: 'invalid_token' };
    return;
  }
  const claims = JSON.parse(Buffer.from(bearer.split('.')[1], 'base64url').toString());
  const subject = String(claims.sub);
  response.body = {
    sub: subject,
    email: `${subject}@oauth.example.test`,
    email_verified: !subject.endsWith('-unverified'),
    preferred_username: subject.replace(/-/g, '_'),
  };
});

await server.start(port, '127.0.0.1');
process.stdout.write('ready\n');
