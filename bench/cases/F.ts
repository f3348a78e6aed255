// F — memory per idle socket at 10,000 connections: messenger vs bare socket.io.
//
// Each round starts a fresh server process (so every round measures from the same clean
// heap): for the product a messenger instance of the bench build on its own port
// (sharing the stack's database, Redis and auth's JWKS), for the baseline the bare relay.
// Both carry the same memory probe (socket-memory-probe.ts: full GC on request, then
// `process.memoryUsage()`). A round warms the connection path up with a few sockets,
// samples the server with none open, opens 10,000 authenticated sockets (product: each
// with its own user's access token, verified against auth's JWKS, counted in Redis,
// joined to its user room, presence announced; baseline: joined to a room of 10), lets
// them settle idle, samples again, and divides the growth by 10,000.
//
// `heapKbPerSocket` — the growth of JS heap + external memory after a full GC, sampled
// once the sockets have sat idle (steady: a second sample a moment later must agree) — is
// the figure the target is set on; `kbPerSocket`, the growth of the resident set size
// (RSS), what the socket really costs the machine, is the second figure (it moves with
// the allocator's page reuse, ±10 % between rounds). The warm-up rounds (2,000 sockets)
// also time the machine: before each measured round the case picks how many sockets fit
// the rest of its budget — 10,000 on a machine fast enough, fewer (never under 1,000) on a
// slow one — rather than overrun it. See bench/README.md.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CaseContext, defineCase } from '../lib/harness';
import {
  accessTokenMinter,
  type BenchUser,
  benchUsers,
  LoadWorkers,
  roomsOf,
  startBaselineServer,
  startExtraMessenger,
} from '../lib/socket-bench';
import { benchPort } from '../lib/stack';
import { type MemorySample, probePreload, sampleMemory } from '../lib/socket-memory-probe';

const SOCKETS = Number(process.env.BENCH_F_SOCKETS ?? 10_000);
/** Fewest sockets a measured round may scale down to on a slow machine. */
const MIN_SOCKETS = 1000;
/** Sockets of the warm-up rounds, which also time the machine for the measured rounds. */
const WARMUP_ROUND_SOCKETS = 2000;
/** Sockets opened and closed before each round's first sample (code paths warmed up). */
const WARMUP_SOCKETS = 200;
const WORKERS = 2;
/** A port apart from the stack's 23001–23004, for the round's own messenger. */
const PRODUCT_PORT = benchPort(24_044);
/** How long the sockets sit idle before the sample (heartbeats, timers, presence settle). */
const SETTLE_MS = 2_000;
/** Between the two idle samples that show the heap has settled. */
const STEADY_MS = 1_000;

export default defineCase({
  id: 'F',
  title: 'memory per idle socket at 10,000 connections',
  budgetMs: 240_000,
  rounds: 5,
  metrics: {
    heapKbPerSocket: { unit: 'KiB heap+ext/socket', better: 'lower' },
    kbPerSocket: { unit: 'KiB RSS/socket', better: 'lower' },
  },
  targets: [
    { metric: 'heapKbPerSocket', ratio: { max: 1.15 } },
    { metric: 'kbPerSocket', ratio: { max: 1.25 } },
  ],
  // Every socket of the round connected (the count may be scaled down, see planRound).
  checks: [{ metric: 'missingSockets', equals: 0 }],

  async setup(ctx) {
    await ctx.stack.start(['auth']);
    const probeDir = mkdtempSync(path.join(tmpdir(), 'bench-f-'));
    ctx.defer(() => rmSync(probeDir, { recursive: true, force: true }));
    const probe = await probePreload(probeDir);
    const workers = await LoadWorkers.start(WORKERS);
    ctx.defer(() => workers.stop());
    ctx.addLoadGenerator(workers.pids);
    // Users are minted as each round needs them (every round, both sides, its own), so no
    // round inherits another's presence or connection entries in Redis.
    const [first] = await benchUsers(ctx.stack, 1);
    const mint = await accessTokenMinter(ctx.stack, first.accessToken);
    const cost: Record<string, { perSocketMs: number; fixedMs: number }> = {};
    return {
      workers,
      probeDir,
      probe,
      mint,
      sockets: WARMUP_ROUND_SOCKETS,
      cost,
      plannedRound: 0,
    };
  },

  async run(state, side, ctx, { round, rounds, warmup }) {
    if (!warmup && state.plannedRound !== round) planRound(state, ctx, rounds - round + 1);
    state.plannedRound = round;
    const { workers, probeDir, sockets: wanted } = state;
    const started = performance.now();
    const env = { BENCH_MEMORY_PROBE_DIR: probeDir };
    const server =
      side === 'product'
        ? await startExtraMessenger(ctx.stack, {
            port: PRODUCT_PORT,
            nodeFlags: [`--import=${state.probe}`],
            // Its own consumer group: this instance comes and goes every round, and the
            // stack's messenger should not be rebalanced each time.
            env: { ...env, KAFKA_GROUP_ID: 'messenger-bench-f', PRESENCE_OFFLINE_DELAY_MS: '0' },
          })
        : await startBaselineServer({ env });
    try {
      const perSocketStarted = performance.now();
      const users = await freshUsers(state.mint, wanted);
      const mintMs = performance.now() - perSocketStarted;
      const warmupUsers = await freshUsers(state.mint, WARMUP_SOCKETS);

      await workers.connect(side, server.url, roomsOf(warmupUsers, 10, side));
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
      const settled = await sampleMemory(server.pid, probeDir);
      await sleep(STEADY_MS);
      const after = await sampleMemory(server.pid, probeDir);
      const disconnectStarted = performance.now();
      await workers.disconnect(side);
      const disconnectMs = performance.now() - disconnectStarted;
      // What this side's round costs: a part per socket (minting, connecting, closing) and
      // the rest.
      const perSocketMs = (mintMs + connectMs + disconnectMs) / sockets;
      state.cost[side] = {
        perSocketMs,
        fixedMs: performance.now() - started - perSocketMs * sockets,
      };

      const heap = (m: MemorySample) => m.heapUsed + m.external;
      return {
        heapKbPerSocket: (heap(after) - heap(before)) / sockets / 1024,
        kbPerSocket: (after.rss - before.rss) / sockets / 1024,
        // Heap + external between the two idle samples, per socket: ~0 when steady.
        heapDriftKbPerSocket: (heap(after) - heap(settled)) / sockets / 1024,
        sockets,
        missingSockets: wanted - sockets,
        connectPerSec: sockets / (connectMs / 1000),
        rssMbAtN: after.rss / 2 ** 20,
      };
    } finally {
      await server.close();
    }
  },
});

/** `count` users new to messenger, each with an access token of its own. */
async function freshUsers(
  mint: (userId: string) => Promise<string>,
  count: number,
): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  for (let i = 0; i < count; i++) {
    const userId = randomUUID();
    users.push({ userId, accessToken: await mint(userId) });
  }
  return users;
}

/**
 * Scale the work, not the patience: picks the sockets of the coming round (both sides)
 * from what the last round of each side cost — a fixed part (server start, warm-up
 * sockets, samples) and a part per socket (minting, connecting, closing) — so that the
 * rounds left fit in 60 % of what is left of the budget: SOCKETS on a machine fast
 * enough, fewer (never under MIN_SOCKETS) on a slow one.
 */
function planRound(
  state: { cost: Record<string, { perSocketMs: number; fixedMs: number }>; sockets: number },
  ctx: CaseContext,
  roundsLeft: number,
): void {
  const sides = Object.values(state.cost);
  const fixedMs = sides.reduce((sum, c) => sum + c.fixedMs, 0);
  const perSocketMs = sides.reduce((sum, c) => sum + c.perSocketMs, 0);
  const affordable = ((0.6 * ctx.remainingMs()) / roundsLeft - fixedMs) / perSocketMs;
  const sockets = Math.min(
    SOCKETS,
    Math.max(MIN_SOCKETS, Math.floor((Number.isFinite(affordable) ? affordable : 0) / 100) * 100),
  );
  if (sockets !== state.sockets && sockets < SOCKETS) {
    ctx.log(
      `a round costs ${(fixedMs / 1000).toFixed(1)} s + ${perSocketMs.toFixed(2)} ms per socket here: ${sockets} sockets per round to fit the budget`,
    );
  }
  state.sockets = sockets;
}
