// F — memory per idle socket at 10,000 connections: messenger vs bare socket.io.
//
// Each round starts a fresh server process (so every round measures from the same clean
// heap): for the product a messenger instance of the bench build on its own port
// (sharing the stack's database, Redis and auth's JWKS), for the baseline the bare relay.
// Both carry the same memory probe (socket-memory-probe.mjs: full GC on request, then
// `process.memoryUsage()`). A round warms the connection path up with a few sockets,
// samples the server with none open, opens 10,000 authenticated sockets (product: each
// with its own user's access token, verified against auth's JWKS, counted in Redis,
// joined to its user room, presence announced; baseline: joined to a room of 10), lets
// them settle idle, samples again, and divides the growth by 10,000.
//
// `kbPerSocket` is the growth of the resident set size (RSS) — what the socket really
// costs the machine; `heapKbPerSocket` is the growth of JS heap + external memory after a
// full GC, the steadier figure to compare changes with. See bench/README.md.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sleep } from '../../scripts/infra/lib.mjs';
import {
  benchUsers,
  LoadWorkers,
  roomsOf,
  startBaselineServer,
  startExtraMessenger,
} from '../lib/socket-bench.mjs';
import { benchPort } from '../lib/stack.mjs';
import { sampleMemory } from '../lib/socket-memory-probe.mjs';

const SOCKETS = Number(process.env.BENCH_F_SOCKETS ?? 10_000);
const WARMUP_SOCKETS = 200;
const WORKERS = 2;
/** A port apart from the stack's 23001–23004, for the round's own messenger. */
const PRODUCT_PORT = benchPort(23_044);
/** How long the sockets sit idle before the sample (heartbeats, timers, presence settle). */
const SETTLE_MS = 2_000;
const PROBE = fileURLToPath(new URL('../lib/socket-memory-probe.mjs', import.meta.url));

export default {
  id: 'F',
  title: 'memory per idle socket at 10,000 connections',
  budgetMs: 240_000,
  rounds: 5,
  metrics: {
    kbPerSocket: { unit: 'KiB RSS/socket', better: 'lower' },
    heapKbPerSocket: { unit: 'KiB heap+ext/socket', better: 'lower' },
  },
  targets: [{ metric: 'kbPerSocket', ratio: { max: 1.25 } }],
  checks: [{ metric: 'sockets', equals: SOCKETS }],

  async setup(ctx) {
    await ctx.stack.start(['auth']);
    const probeDir = mkdtempSync(path.join(tmpdir(), 'bench-f-'));
    ctx.defer(() => rmSync(probeDir, { recursive: true, force: true }));
    const workers = await LoadWorkers.start(WORKERS);
    ctx.defer(() => workers.stop());
    // Fresh users every product round, so no round inherits another's presence or
    // connection entries in Redis; the baseline reuses the first set.
    const rounds = 1 + (this.rounds ?? 5);
    const users = await benchUsers(ctx.stack, SOCKETS * rounds + WARMUP_SOCKETS);
    ctx.log(`${users.length} access tokens minted`);
    return { workers, probeDir, users, productRound: 0 };
  },

  async run(state, side, ctx) {
    const { workers, probeDir } = state;
    const env = { BENCH_MEMORY_PROBE_DIR: probeDir };
    const server =
      side === 'product'
        ? await startExtraMessenger(ctx.stack, {
            port: PRODUCT_PORT,
            nodeFlags: [`--import=${pathToFileURL(PROBE).href}`],
            // Its own consumer group: this instance comes and goes every round, and the
            // stack's messenger should not be rebalanced each time.
            env: { ...env, KAFKA_GROUP_ID: 'messenger-bench-f', PRESENCE_OFFLINE_DELAY_MS: '0' },
          })
        : await startBaselineServer({ env });
    try {
      const offset =
        side === 'product' ? WARMUP_SOCKETS + SOCKETS * state.productRound++ : WARMUP_SOCKETS;
      const warmup = state.users.slice(0, WARMUP_SOCKETS);
      const users = state.users.slice(offset, offset + SOCKETS);

      await workers.connect(side, server.url, roomsOf(warmup, 10, side));
      await workers.disconnect(side);
      await sleep(500);
      const before = await sampleMemory(server.pid, probeDir);

      const { sockets, connectMs } = await workers.connect(
        side,
        server.url,
        roomsOf(users, 10, side),
        {
          batch: 200,
        },
      );
      await sleep(SETTLE_MS);
      const after = await sampleMemory(server.pid, probeDir);
      await workers.disconnect(side);

      const heap = (m) => m.heapUsed + m.external;
      return {
        kbPerSocket: (after.rss - before.rss) / sockets / 1024,
        heapKbPerSocket: (heap(after) - heap(before)) / sockets / 1024,
        sockets,
        connectPerSec: sockets / (connectMs / 1000),
        rssMbAtN: after.rss / 2 ** 20,
      };
    } finally {
      await server.close();
    }
  },
};
