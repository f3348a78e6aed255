// J — scaling out: persisted `message:send` (A2's path) on two messenger instances against
// one, both on the same PostgreSQL, Redis and Kafka. The "product" side is the two
// instances, the "baseline" side the one: the ratio product ÷ baseline is the scaling
// factor of the second instance.
//
// Each side has users and chats of its own (1,000 users in chats of 10): the one-instance
// side connects every user to the stack's messenger; the two-instance side alternates each
// chat's members over both instances, as a load balancer spreading connections would, so
// every send fans out to the other instance through the Redis adapter. The second instance
// is a messenger process of the case's own (the stack's build and environment, another
// port) in the stack messenger's Kafka consumer group; it stays up (idle) during the
// one-instance rounds.
//
// Per round and side: a closed loop with 3 concurrent senders per chat (so the server,
// not the round trip, sets the pace) for delivered msg/s and server CPU per delivery over
// every server process (both messengers, their PostgreSQL backends, Redis, Kafka — the
// same set for both sides). On a 2-core machine that the load generator, PostgreSQL, Redis
// and Kafka share, a second instance has no core of its own: the ratio says what the
// code's scaling is worth here, not what a second machine would give. Checks as A2's
// (exact deliveries, stored = acknowledged); arrivals below a seq already seen are
// reported, not checked: with two instances a chat's pushes are ordered per instance only
// and clients order by seq (ADR 0032). See bench/README.md and docs/scaling.md.

import { performance } from 'node:perf_hooks';
import {
  type BenchUser,
  benchUsers,
  LoadWorkers,
  roomsOf,
  seedMessengerReplicas,
  startExtraMessenger,
} from '../lib/socket-bench';
import { cpuSecondsOf, defineCase } from '../lib/harness';
import { kafkaPid, measureCpuOfProcesses, postgresPids, redisPid } from '../lib/infra-info';
import { benchDatabase, benchPort } from '../lib/stack';

const CONNECTIONS = Number(process.env.BENCH_J_CONNECTIONS ?? 1000);
const ROOM_SIZE = 10;
const WORKERS = 2;
const SENDERS_PER_CHAT = 3;
const THROUGHPUT_MS = Number(process.env.BENCH_J_THROUGHPUT_MS ?? 3000);
const SECOND_INSTANCE_PORT = benchPort(24_047);

export default defineCase({
  id: 'J',
  title: 'message:send (persisted) on two messenger instances vs one, 1,000 users, chats of 10',
  budgetMs: 90_000,
  rounds: 5,
  metrics: {
    msgPerSec: { unit: 'msg/s delivered', better: 'higher' },
    sendsPerSec: { unit: 'sends/s', better: 'higher' },
    serverCpuUsPerMsg: { unit: 'µs CPU/delivery (all server processes)', better: 'lower' },
    closedP99Ms: { unit: 'ms (closed loop)', better: 'lower' },
  },
  checks: [
    { metric: 'ackErrors', equals: 0 },
    { metric: 'missing', equals: 0 },
    { metric: 'extra', equals: 0 },
    { metric: 'foreign', equals: 0 },
    { metric: 'storedMinusAcked', equals: 0 },
  ],

  async setup(ctx) {
    await ctx.stack.start(['messenger']);
    const second = await startExtraMessenger(ctx.stack, { port: SECOND_INSTANCE_PORT });
    ctx.defer(second.close);
    const urls = [ctx.stack.urls.messenger.http, second.url];
    const workers = await LoadWorkers.start(WORKERS);
    ctx.defer(() => workers.stop());
    ctx.addLoadGenerator(workers.pids);

    const users = await benchUsers(ctx.stack, 2 * CONNECTIONS);
    const chatIds: Record<string, (string | undefined)[]> = {};
    const usersBySide: [string, BenchUser[]][] = [
      ['baseline', users.slice(0, CONNECTIONS)],
      ['product', users.slice(CONNECTIONS)],
    ];
    for (const [side, sideUsers] of usersBySide) {
      const rooms = roomsOf(sideUsers, ROOM_SIZE, 'product');
      if (side === 'product') {
        for (const room of rooms) {
          room.members.forEach((member, i) => (member.url = urls[i % urls.length]));
        }
      }
      await seedMessengerReplicas(ctx.stack, sideUsers, rooms);
      const up = await workers.connect(side, urls[0], rooms, { createChats: true });
      chatIds[side] = up.chatIds;
      ctx.log(
        `${side === 'product' ? 'two instances' : 'one instance'}: ${up.sockets} sockets ` +
          `and ${rooms.length} chats in ${(up.connectMs / 1000).toFixed(1)} s`,
      );
    }

    const db = ctx.stack.db('messenger');
    const storedCount = async (side: string) => {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM messages WHERE chat_id = ANY($1::uuid[])',
        [chatIds[side]],
      );
      return rows[0].n;
    };
    const redis = await redisPid();
    const broker = kafkaPid();
    if (redis === undefined || broker === undefined) {
      throw new Error('Redis or Kafka has no local process to measure');
    }
    const messengers = [ctx.stack.pid('messenger'), second.pid];
    const servers = async () => [
      ...messengers,
      ...(await postgresPids(db, benchDatabase('messenger'))),
      redis,
      broker,
    ];
    return { workers, storedCount, servers, throughputMs: THROUGHPUT_MS };
  },

  /** A slow machine: shorter phases. */
  scale(state, factor) {
    state.throughputMs = Math.max(1000, Math.round(THROUGHPUT_MS * factor));
  },

  async run(state, side) {
    const storedBefore = await state.storedCount(side);
    const serverCpu = await measureCpuOfProcesses(state.servers, cpuSecondsOf);
    const started = performance.now();
    const phase = await state.workers.phase({
      side,
      event: 'message:send',
      mode: 'closed',
      durationMs: state.throughputMs,
      sendersPerRoom: SENDERS_PER_CHAT,
    });
    const cpuSec = await serverCpu();
    const elapsedSec = (performance.now() - started) / 1000;
    return {
      msgPerSec: phase.inWindow / (state.throughputMs / 1000),
      sendsPerSec: phase.acked / (state.throughputMs / 1000),
      serverCpuUsPerMsg: (cpuSec / phase.received) * 1e6,
      closedP99Ms: phase.latency.p99,
      serverCpuPct: (cpuSec / elapsedSec) * 100,
      ackErrors: phase.ackErrors,
      missing: phase.missing,
      extra: phase.extra,
      foreign: phase.foreign,
      // Not a check here: across instances pushes are ordered per instance only, and
      // clients order by seq (ADR 0032); the one-instance side shows 0.
      outOfOrderArrivals: phase.orderViolations,
      storedMinusAcked: (await state.storedCount(side)) - storedBefore - phase.acked,
    };
  },

  async teardown(state) {
    for (const side of ['product', 'baseline']) await state.workers.disconnect(side);
  },
});
