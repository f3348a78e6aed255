// Baseline of case H (connect storm): a bare socket.io server that admits a connection
// only with a valid access token in `handshake.auth.token`, verified as messenger verifies
// it — jose against auth's JWKS, ES256, issuer, audience, `typ: at+jwt`, the required
// claims (bearer.mjs), with messenger's cache policy: none, as a socket verifies its token
// once — and then joins the socket to its user's room, as messenger does. Nothing else: no
// Nest, no connection count in Redis, no presence. socket.io is loaded from where
// @nestjs/platform-socket.io loads it, so both sides run the same socket.io and engine.io.
// Env: PORT, JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, VERIFIED_TOKEN_CACHE_SIZE (0 here).

import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tokenUser } from './bearer.mjs';

const requireFromNest = createRequire(
  createRequire(import.meta.url).resolve('@nestjs/platform-socket.io'),
);
const { Server } = requireFromNest('socket.io');

/** The same largest-packet rule as messenger's default `MAX_PAYLOAD_BYTES`. */
const MAX_PAYLOAD_BYTES = 16_384;

const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: MAX_PAYLOAD_BYTES });

io.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  if (typeof token !== 'string' || token.length === 0) {
    next(new Error('UNAUTHENTICATED: missing token'));
    return;
  }
  tokenUser(token).then((userId) => {
    if (!userId) return next(new Error('UNAUTHENTICATED: invalid or expired token'));
    socket.data.userId = userId;
    next();
  }, next);
});

io.on('connection', (socket) => {
  void socket.join(`user:${socket.data.userId}`);
});

httpServer.listen(Number(process.env.PORT), '127.0.0.1', () =>
  process.stdout.write('BENCH_SERVER_READY\n'),
);
process.on('SIGTERM', () => {
  io.close();
  httpServer.close();
  process.exit(0);
});
