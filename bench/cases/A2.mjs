// A2 — A1 with persistence and the outbox event: messenger's real `message:send` path vs
// the same bare socket.io relay.
//
// 1,000 connections in rooms (group chats) of 10. Per send, messenger validates the
// payload, takes a rate-limit token (Redis), checks membership and idempotency, and in one
// transaction takes the chat's next `seq`, stores the message, updates the members' read
// model and writes `messenger.message.sent.v1` to the outbox (the relay publishes it to
// Kafka); after commit every member's sockets — the sender's too — get `message:new`.
// The baseline relays the same payload to the whole room (`io.to(room).emit`), numbering
// messages per room in memory.
//
// Per round and side: a closed loop (one send in flight per room, members take turns) for
// delivered msg/s. Every acknowledged message must reach all 10 members (`lost` counts
// the deliveries missing 10 s after the window) exactly in `seq` order per chat
// (`orderViolations`). See bench/README.md.

import { performance } from 'node:perf_hooks';
import { connectRooms } from '../lib/socket-bench.mjs';

const CONNECTIONS = Number(process.env.BENCH_A2_CONNECTIONS ?? 1000);
const ROOM_SIZE = 10;
const WORKERS = 2;
const THROUGHPUT_MS = Number(process.env.BENCH_A2_THROUGHPUT_MS ?? 4000);

export default {
  id: 'A2',
  title: 'message:send with persistence and outbox, 1,000 connections, chats of 10',
  budgetMs: 180_000,
  rounds: 5,
  metrics: {
    msgPerSec: { unit: 'msg/s', better: 'higher' },
    p99Ms: { unit: 'ms', better: 'lower' },
    serverCpuUsPerMsg: { unit: 'µs CPU/msg', better: 'lower' },
  },
  targets: [{ metric: 'msgPerSec', ratio: { min: 0.6 } }],
  checks: [
    { metric: 'lost', equals: 0 },
    { metric: 'orderViolations', equals: 0 },
    { metric: 'ackErrors', equals: 0 },
  ],

  async setup(ctx) {
    const { workers, baseline } = await connectRooms(ctx, {
      connections: CONNECTIONS,
      roomSize: ROOM_SIZE,
      workers: WORKERS,
    });
    return {
      workers,
      servers: {
        product: { pid: ctx.stack.pid('messenger') },
        baseline: { pid: baseline.pid },
      },
    };
  },

  async run(state, side, ctx) {
    const { workers, servers } = state;
    const serverCpu = ctx.measureCpu(servers[side].pid);
    const loadCpu = ctx.measureCpu(workers.pids);
    const started = performance.now();
    const result = await workers.phase({
      side,
      event: 'message:send',
      mode: 'closed',
      durationMs: THROUGHPUT_MS,
    });
    const cpuSec = serverCpu();
    const elapsedSec = (performance.now() - started) / 1000;
    return {
      msgPerSec: result.inWindow / (THROUGHPUT_MS / 1000),
      p99Ms: result.latency.p99,
      serverCpuUsPerMsg: (cpuSec / result.received) * 1e6,
      serverCpuPct: (cpuSec / elapsedSec) * 100,
      loadGenCpuPct: (loadCpu() / elapsedSec) * 100,
      sendsPerSec: result.acked / (THROUGHPUT_MS / 1000),
      lost: result.lost,
      orderViolations: result.orderViolations,
      ackErrors: result.ackErrors,
    };
  },

  async teardown(state) {
    await state.workers.disconnect('product');
    await state.workers.disconnect('baseline');
  },
};
