// A1 — socket.io gateway delivery: messenger's `typing` relay vs a bare socket.io relay
// fanning out through the Redis adapter on the same Redis (the baseline the targets are
// set against), and the same relay without an adapter (for information).
//
// 1,000 connections in rooms of 10. messenger's gateway event that is relayed to a chat's
// members without being stored is `typing {chatId}`: token checked at connect, then per
// event the payload validated (class-validator DTO), a token taken from the socket's rate
// bucket (in process), membership checked and the members read (PostgreSQL), and the relay
// to the members' user rooms (through the Redis adapter). The baselines get the same event
// and relay it with `socket.to(room).emit` — no auth, no validation, no lookups. All
// deliver to the 9 other members of the room.
//
// Per round and side: a closed loop (one send in flight per room, members take turns) for
// delivered msg/s and server CPU per delivery (every server process of the side: the
// product's PostgreSQL backends and Redis included, the baseline's Redis included), then
// an open loop at a fixed rate — the same on every side, half of what the product sustained
// in calibration — for the latency from each send's scheduled time to its receipt.
// Nothing may be lost. See bench/README.md.

import { performance } from 'node:perf_hooks';
import { defineCase } from '../lib/harness';
import { connectRooms, serverCpuMeter } from '../lib/socket-bench';

const CONNECTIONS = Number(process.env.BENCH_A1_CONNECTIONS ?? 1000);
const ROOM_SIZE = 10;
const WORKERS = 2;
const THROUGHPUT_MS = Number(process.env.BENCH_A1_THROUGHPUT_MS ?? 3000);
const LATENCY_MS = Number(process.env.BENCH_A1_LATENCY_MS ?? 3000);
/** Share of the product's calibrated send rate the open loop runs at (below saturation). */
const LATENCY_LOAD = 0.5;

export default defineCase({
  id: 'A1',
  title: 'socket.io gateway delivery (typing relay), 1,000 connections, rooms of 10',
  budgetMs: 240_000,
  rounds: 5,
  sides: ['product', 'baseline', 'relay'],
  metrics: {
    msgPerSec: { unit: 'msg/s', better: 'higher' },
    serverCpuUsPerMsg: { unit: 'µs CPU/msg (all server processes)', better: 'lower' },
    p99Ms: { unit: 'ms (open loop)', better: 'lower' },
    p50Ms: { unit: 'ms (open loop)', better: 'lower' },
  },
  targets: [
    { metric: 'msgPerSec', ratio: { min: 0.85 } },
    { metric: 'serverCpuUsPerMsg', ratio: { max: 1.3 } },
  ],
  checks: [
    { metric: 'ackErrors', equals: 0 },
    { metric: 'lost', equals: 0 },
  ],

  async setup(ctx) {
    const { workers, baseline, relay } = await connectRooms(ctx, {
      connections: CONNECTIONS,
      roomSize: ROOM_SIZE,
      workers: WORKERS,
    });
    const serverCpu = await serverCpuMeter(ctx, { baseline, relay });

    // Calibration (also the product's warm-up): the open-loop rate every side gets.
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
    return { workers, ratePerSec, serverCpu, throughputMs: THROUGHPUT_MS, latencyMs: LATENCY_MS };
  },

  /** A slow machine: shorter phases, same rate. */
  scale(state, factor) {
    state.throughputMs = Math.max(1000, Math.round(THROUGHPUT_MS * factor));
    state.latencyMs = Math.max(1000, Math.round(LATENCY_MS * factor));
  },

  async run(state, side) {
    const { workers, ratePerSec, throughputMs, latencyMs } = state;
    const serverCpu = await state.serverCpu(side);
    const started = performance.now();
    const throughput = await workers.phase({
      side,
      event: 'typing',
      mode: 'closed',
      durationMs: throughputMs,
      keepLatencies: false,
    });
    const cpuSec = await serverCpu();
    const elapsedSec = (performance.now() - started) / 1000;
    const latency = await workers.phase({
      side,
      event: 'typing',
      mode: 'open',
      durationMs: latencyMs,
      ratePerSec,
    });
    return {
      msgPerSec: throughput.inWindow / (throughputMs / 1000),
      serverCpuUsPerMsg: (cpuSec / throughput.received) * 1e6,
      p99Ms: latency.latency.p99,
      p50Ms: latency.latency.p50,
      serverCpuPct: (cpuSec / elapsedSec) * 100,
      sendsPerSec: throughput.acked / (throughputMs / 1000),
      ackErrors: throughput.ackErrors + latency.ackErrors,
      lost: throughput.lost + latency.lost,
    };
  },

  async teardown(state) {
    for (const side of ['product', 'baseline', 'relay']) await state.workers.disconnect(side);
  },
});
