// A1 — socket.io gateway delivery: messenger's `typing` relay vs a bare socket.io relay.
//
// 1,000 connections in rooms of 10. messenger's gateway event that is relayed to a chat's
// members without being stored is `typing {chatId}`: token checked at connect, then per
// event the payload validated (class-validator DTO), a token taken from the socket's rate
// bucket (Redis), membership checked and the members read (PostgreSQL), and the relay to
// the members' user rooms (through the Redis adapter). The baseline gets the same event
// and relays it with `socket.to(room).emit` — no auth, no validation, no lookups. Both
// deliver to the 9 other members of the room.
//
// Per round and side: a closed loop (one send in flight per room, members take turns) for
// delivered msg/s, then an open loop at a fixed rate — the same on both sides, half of what
// the product sustained in calibration — for the latency from send to receipt.
// See bench/README.md.

import { performance } from 'node:perf_hooks';
import { connectRooms } from '../lib/socket-bench.mjs';

const CONNECTIONS = Number(process.env.BENCH_A1_CONNECTIONS ?? 1000);
const ROOM_SIZE = 10;
const WORKERS = 2;
const THROUGHPUT_MS = Number(process.env.BENCH_A1_THROUGHPUT_MS ?? 3000);
const LATENCY_MS = Number(process.env.BENCH_A1_LATENCY_MS ?? 3000);
/** Share of the product's calibrated send rate the open loop runs at (below saturation). */
const LATENCY_LOAD = 0.5;

export default {
  id: 'A1',
  title: 'socket.io gateway delivery (typing relay), 1,000 connections, rooms of 10',
  budgetMs: 180_000,
  rounds: 5,
  metrics: {
    msgPerSec: { unit: 'msg/s', better: 'higher' },
    p99Ms: { unit: 'ms', better: 'lower' },
    p50Ms: { unit: 'ms', better: 'lower' },
    serverCpuUsPerMsg: { unit: 'µs CPU/msg', better: 'lower' },
  },
  targets: [
    { metric: 'msgPerSec', ratio: { min: 0.9 } },
    { metric: 'p99Ms', ratio: { max: 1.2 } },
  ],
  checks: [{ metric: 'ackErrors', equals: 0 }],

  async setup(ctx) {
    const { workers, baseline } = await connectRooms(ctx, {
      connections: CONNECTIONS,
      roomSize: ROOM_SIZE,
      workers: WORKERS,
    });

    // Calibration (also the product's warm-up): the open-loop rate both sides get.
    const calibration = await workers.phase({
      side: 'product',
      event: 'typing',
      mode: 'closed',
      durationMs: 2000,
      keepLatencies: false,
    });
    if (calibration.ackErrors > 0) {
      throw new Error(`typing refused during calibration: ${calibration.firstError}`);
    }
    const ratePerSec = Math.max(
      100,
      Math.round(((calibration.acked / 2) * LATENCY_LOAD) / 100) * 100,
    );
    ctx.log(
      `open-loop rate for latency: ${ratePerSec} sends/s (${ratePerSec * (ROOM_SIZE - 1)} deliveries/s)`,
    );

    return {
      workers,
      ratePerSec,
      servers: {
        product: { url: ctx.stack.urls.messenger.http, pid: ctx.stack.pid('messenger') },
        baseline: { url: baseline.url, pid: baseline.pid },
      },
    };
  },

  async run(state, side, ctx) {
    const { workers, ratePerSec, servers } = state;
    const serverCpu = ctx.measureCpu(servers[side].pid);
    const loadCpu = ctx.measureCpu(workers.pids);
    const started = performance.now();
    const throughput = await workers.phase({
      side,
      event: 'typing',
      mode: 'closed',
      durationMs: THROUGHPUT_MS,
      keepLatencies: false,
    });
    const cpuSec = serverCpu();
    const loadCpuSec = loadCpu();
    const elapsedSec = (performance.now() - started) / 1000;
    const latency = await workers.phase({
      side,
      event: 'typing',
      mode: 'open',
      durationMs: LATENCY_MS,
      ratePerSec,
    });
    return {
      msgPerSec: throughput.inWindow / (THROUGHPUT_MS / 1000),
      p99Ms: latency.latency.p99,
      p50Ms: latency.latency.p50,
      serverCpuUsPerMsg: (cpuSec / throughput.received) * 1e6,
      serverCpuPct: (cpuSec / elapsedSec) * 100,
      loadGenCpuPct: (loadCpuSec / elapsedSec) * 100,
      sendsPerSec: throughput.acked / (THROUGHPUT_MS / 1000),
      ackErrors: throughput.ackErrors + latency.ackErrors,
      lost: throughput.lost + latency.lost,
    };
  },

  async teardown(state) {
    await state.workers.disconnect('product');
    await state.workers.disconnect('baseline');
  },
};
