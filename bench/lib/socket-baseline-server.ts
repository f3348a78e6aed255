// The bare baseline of the socket.io benchmarks (A1, A2, F): a socket.io server with
// nothing on top — no auth, no validation, no database — that relays what clients send
// with `io.to(room).emit`. It speaks the same event names and payload shapes as messenger,
// so the load generator drives both sides the same way:
//
//   handshake `auth: {userId, room}`            → the socket joins `room`
//   `typing {chatId}`                           → the room's other sockets get `typing {chatId, userId}`
//   `message:send {chatId, clientMessageId, text}` → every socket of the room (sender too) gets
//                                                   `message:new {message}`, numbered per room
//
// With REDIS_URL it fans out through `@socket.io/redis-adapter` (ioredis pub/sub clients,
// as messenger's adapter), channel prefix REDIS_ADAPTER_KEY: every broadcast is published
// to Redis and the server hears its own publish back, as a messenger instance does — the
// baseline A1 and A2 set their targets against. Without it, a single-process relay.
//
// Runs as its own process (a child of the case, `fork`ed with an IPC channel): it reports
// `{type: 'listening', port}` once up and exits when the parent says `{type: 'close'}` or
// goes away. socket.io is loaded from where @nestjs/platform-socket.io loads it, so both
// sides run the very same socket.io and engine.io.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
// Answers the memory probe of case F when BENCH_MEMORY_PROBE_DIR is set.
import './socket-memory-probe';

const requireFromNest = createRequire(require.resolve('@nestjs/platform-socket.io'));
const { Server } = requireFromNest('socket.io') as typeof import('socket.io');

/** What clients send (the load generator's payloads; typed, not checked — a bare relay). */
interface TypingPayload {
  chatId: string;
}
interface SendPayload {
  chatId: string;
  clientMessageId: string;
  text: string;
}
type Ack = ((reply: unknown) => void) | undefined;

/** The same largest-packet rule as messenger's default `MAX_PAYLOAD_BYTES`. */
const MAX_PAYLOAD_BYTES = 16_384;

const port = Number(process.env.PORT ?? 0);
const httpServer = createServer();
const io = new Server(httpServer, { maxHttpBufferSize: MAX_PAYLOAD_BYTES });
const redisClients: Redis[] = [];
if (process.env.REDIS_URL) {
  const pub = new Redis(process.env.REDIS_URL, { connectionName: 'bench-relay-pub' });
  const sub = pub.duplicate({ connectionName: 'bench-relay-sub' });
  redisClients.push(pub, sub);
  io.adapter(createAdapter(pub, sub, { key: process.env.REDIS_ADAPTER_KEY ?? 'bench-relay' }));
}
/** Last number given per room (messenger's `seq`, kept in memory). */
const seqs = new Map<string, number>();

io.on('connection', (socket) => {
  const { userId, room } = (socket.handshake.auth ?? {}) as { userId?: unknown; room?: unknown };
  const data = socket.data as { userId: string };
  data.userId = String(userId);
  if (typeof room === 'string') void socket.join(room);

  socket.on('typing', (payload: TypingPayload, ack: Ack) => {
    socket.to(payload.chatId).emit('typing', { chatId: payload.chatId, userId: data.userId });
    if (typeof ack === 'function') ack({ ok: true });
  });

  socket.on('message:send', (payload: SendPayload, ack: Ack) => {
    const seq = (seqs.get(payload.chatId) ?? 0) + 1;
    seqs.set(payload.chatId, seq);
    // The fields messenger's message carries, so both push the same shape and size.
    const message = {
      id: randomUUID(),
      chatId: payload.chatId,
      senderId: data.userId,
      text: payload.text,
      seq,
      createdAt: new Date().toISOString(),
      clientMessageId: payload.clientMessageId,
      replyToId: null,
      editedAt: null,
      deletedAt: null,
      reactions: [],
    };
    io.to(payload.chatId).emit('message:new', { message });
    if (typeof ack === 'function') ack({ ok: true, message });
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: (httpServer.address() as AddressInfo).port });
});

const stop = () => {
  void io.close();
  httpServer.close();
  for (const client of redisClients) client.disconnect();
  process.exit(0);
};
process.on('message', (message: unknown) => {
  if ((message as { type?: unknown } | null)?.type === 'close') stop();
});
process.on('disconnect', stop);
process.on('SIGTERM', stop);
