// Baseline of case H (connect storm): a bare socket.io server that admits a connection
// only with a valid access token in `handshake.auth.token`, verified as messenger verifies
// it — jose against auth's JWKS, ES256, issuer, audience, `typ: at+jwt`, the required
// claims (bearer.ts), with messenger's cache policy: none, as a socket verifies its token
// once — and then joins the socket to its user's room, as messenger does. Nothing else: no
// Nest, no connection count in Redis, no presence. socket.io is loaded from where
// @nestjs/platform-socket.io loads it, so both sides run the same socket.io and engine.io.
// Env: PORT, JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, VERIFIED_TOKEN_CACHE_SIZE (0 here).

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { loadJwks, tokenUser } from './bearer';

const requireFromNest = createRequire(require.resolve('@nestjs/platform-socket.io'));
const { Server } = requireFromNest('socket.io') as typeof import('socket.io');

/** The same largest-packet rule as messenger's default `MAX_PAYLOAD_BYTES`. */
const MAX_PAYLOAD_BYTES = 16_384;

const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: MAX_PAYLOAD_BYTES });

io.use((socket, next) => {
  const token: unknown = socket.handshake.auth?.token;
  if (typeof token !== 'string' || token.length === 0) {
    next(new Error('UNAUTHENTICATED: missing token'));
    return;
  }
  tokenUser(token).then((userId) => {
    if (!userId) return next(new Error('UNAUTHENTICATED: invalid or expired token'));
    (socket.data as { userId: string }).userId = userId;
    next();
  }, next);
});

io.on('connection', (socket) => {
  void socket.join(`user:${(socket.data as { userId: string }).userId}`);
});

process.on('SIGTERM', () => {
  void io.close();
  httpServer.close();
  process.exit(0);
});

async function main() {
  await loadJwks();
  httpServer.listen(Number(process.env.PORT), '127.0.0.1', () =>
    process.stdout.write('BENCH_SERVER_READY\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
