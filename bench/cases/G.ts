// G — many connected users: messenger's `message:send` at a fixed rate with 10,000 users
// connected, vs the bare socket.io relay fanning out through the Redis adapter on the same
// Redis (as A1/A2's baseline).
//
// Users in group chats of 10, every user connected to both sides for the whole case. Per
// round and side:
// - an open loop at a fixed send rate (BENCH_G_RATE, 100 sends/s = 1,000 deliveries/s: one
//   message per user every ~100 s), latency from each send's scheduled time to its receipt
//   (`p99Ms`, `p50Ms`), server CPU per delivery over every server process of the side, and
//   the exact delivery checks of A2 (each member gets exactly the `(chatId, seq)` its
//   chat's acks announced, in order);
// - a rate ladder (1 s a step): from the fixed rate, the rate doubles until p99 exceeds
//   50 ms, a send fails or a delivery goes missing; when the fixed rate itself is not held,
//   it halves (at most twice) until one is. `maxRateSendsPerSec` is the highest rate
//   held (0: not even RATE ÷ 4).
//
// 10,000 users do not always fit the 90 s budget on this 2-core machine (minting their
// tokens, connecting them twice, creating 1,000 chats): setup connects a first 1,000,
// times them, and connects only as many more as fit its share of the budget. The figure
// used is every round's `connectedUsers` and a log line; nothing is scaled silently.
// See bench/README.md.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { defineCase } from '../lib/harness';
import {
  accessTokenMinter,
  type BenchUser,
  benchUsers,
  LoadWorkers,
  roomsOf,
  seedMessengerReplicas,
  type PhaseSummary,
  serverCpuMeter,
  startBaselineServer,
} from '../lib/socket-bench';

const USERS = Number(process.env.BENCH_G_USERS ?? 10_000);
/** The first stage of users, timed to plan the rest. */
const PROBE_USERS = 1000;
const ROOM_SIZE = 10;
const WORKERS = 2;
const RATE = Number(process.env.BENCH_G_RATE ?? 100);
const FIXED_MS = Number(process.env.BENCH_G_FIXED_MS ?? 2000);
const STEP_MS = Number(process.env.BENCH_G_STEP_MS ?? 1000);
/** The ladder's latency bound: the highest rate whose p99 stays at or under it is "held". */
const P99_BOUND_MS = 50;
/** Doublings of the ladder at most (RATE × 2^6), and halvings (RATE ÷ 2^2). */
const MAX_DOUBLINGS = 6;
const MAX_HALVINGS = 2;
const BUDGET_MS = 90_000;
/** What the ladder's steps add up (every figure of `ladder` below). */
const LADDER_COUNTS = ['extra', 'foreign', 'orderViolations', 'ackErrors', 'missing'] as const;
/** Share of the budget setup may spend minting, connecting and creating chats. */
const SETUP_SHARE = 0.3;

export default defineCase({
  id: 'G',
  title: `message:send at a fixed rate with up to ${USERS.toLocaleString('en-US')} connected users, chats of 10`,
  budgetMs: BUDGET_MS,
  rounds: 5,
  metrics: {
    p99Ms: { unit: `ms (open loop, ${RATE} sends/s)`, better: 'lower' },
    p50Ms: { unit: `ms (open loop, ${RATE} sends/s)`, better: 'lower' },
    maxRateSendsPerSec: { unit: `sends/s held with p99 ≤ ${P99_BOUND_MS} ms`, better: 'higher' },
    serverCpuUsPerMsg: { unit: 'µs CPU/delivery (all server processes)', better: 'lower' },
    connectedUsers: { unit: 'users connected per side' },
  },
  checks: [
    { metric: 'ackErrors', equals: 0 },
    { metric: 'missing', equals: 0 },
    { metric: 'extra', equals: 0 },
    { metric: 'foreign', equals: 0 },
    { metric: 'orderViolations', equals: 0 },
  ],

  async setup(ctx) {
    const started = performance.now();
    await ctx.stack.start(['messenger']);
    const baseline = await startBaselineServer({ redisAdapter: true });
    ctx.defer(baseline.close);
    const workers = await LoadWorkers.start(WORKERS);
    ctx.defer(() => workers.stop());
    ctx.addLoadGenerator(workers.pids);
    const serverCpu = await serverCpuMeter(ctx, { baseline, relay: baseline }, { kafka: true });

    const [first] = await benchUsers(ctx.stack, 1);
    const mint = await accessTokenMinter(ctx.stack, first.accessToken);
    let connected = 0;
    /** Mints `count` users and connects them to both sides in chats of 10. */
    const addUsers = async (count: number) => {
      const users: BenchUser[] = [];
      for (let i = 0; i < count; i++) {
        const userId = randomUUID();
        users.push({ userId, accessToken: await mint(userId) });
      }
      const productRooms = roomsOf(users, ROOM_SIZE, 'product');
      await seedMessengerReplicas(ctx.stack, users, productRooms);
      await workers.connect('product', ctx.stack.urls.messenger.http, productRooms, {
        createChats: true,
        batch: 200,
      });
      await workers.connect('baseline', baseline.url, roomsOf(users, ROOM_SIZE, 'baseline'), {
        batch: 200,
      });
      connected += count;
    };

    const probeStarted = performance.now();
    await addUsers(Math.min(PROBE_USERS, USERS));
    const perUserMs = (performance.now() - probeStarted) / Math.min(PROBE_USERS, USERS);
    const allowanceMs = SETUP_SHARE * BUDGET_MS - (performance.now() - started);
    const fitting = Math.floor(allowanceMs / perUserMs / PROBE_USERS) * PROBE_USERS;
    const more = Math.max(0, Math.min(USERS - connected, fitting));
    if (more < USERS - connected) {
      ctx.log(
        `SCALED DOWN: ${connected + more} users, not ${USERS}: the first ${connected} took ` +
          `${perUserMs.toFixed(1)} ms each (minting, seeding, two connects, chats), so ` +
          `${USERS} would take ~${Math.round((perUserMs * USERS) / 1000)} s of the ` +
          `${BUDGET_MS / 1000} s budget`,
      );
    }
    if (more > 0) await addUsers(more);
    ctx.log(
      `${connected} users connected to each side (${connected / ROOM_SIZE} chats) in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s; fixed rate ${RATE} sends/s`,
    );
    return { workers, serverCpu, connected, fixedMs: FIXED_MS, stepMs: STEP_MS };
  },

  /** A slow machine: shorter phases, same rates. */
  scale(state, factor) {
    state.fixedMs = Math.max(1000, Math.round(FIXED_MS * factor));
    state.stepMs = Math.max(500, Math.round(STEP_MS * factor));
  },

  async run(state, side) {
    const { workers } = state;
    const serverCpu = await state.serverCpu(side);
    const fixed = await workers.phase({
      side,
      event: 'message:send',
      mode: 'open',
      durationMs: state.fixedMs,
      ratePerSec: RATE,
    });
    const cpuSec = await serverCpu();
    const held = (phase: PhaseSummary) =>
      phase.latency.p99 <= P99_BOUND_MS && phase.ackErrors === 0 && phase.missing === 0;

    // The ladder: from the fixed rate, double while held; if the fixed rate is not held,
    // halve until a rate is (or MAX_HALVINGS say the side holds none).
    const ladder = { extra: 0, foreign: 0, orderViolations: 0, ackErrors: 0, missing: 0 };
    const step = async (rate: number) => {
      const result = await workers.phase({
        side,
        event: 'message:send',
        mode: 'open',
        durationMs: state.stepMs,
        ratePerSec: rate,
      });
      for (const key of LADDER_COUNTS) ladder[key] += result[key];
      return held(result);
    };
    let maxRate = 0;
    let steps = 0;
    if (held(fixed)) {
      maxRate = RATE;
      for (let rate = RATE * 2; steps < MAX_DOUBLINGS; rate *= 2) {
        steps++;
        if (!(await step(rate))) break;
        maxRate = rate;
      }
    } else {
      for (let rate = RATE / 2; steps < MAX_HALVINGS; rate /= 2) {
        steps++;
        if (await step(rate)) {
          maxRate = rate;
          break;
        }
      }
    }
    return {
      p99Ms: fixed.latency.p99,
      p50Ms: fixed.latency.p50,
      maxRateSendsPerSec: maxRate,
      serverCpuUsPerMsg: (cpuSec / fixed.received) * 1e6,
      connectedUsers: state.connected,
      ladderSteps: steps,
      // Overload is the ladder's stop signal: failed or late sends there are not errors,
      // but no step may ever deliver a message twice, to the wrong chat or out of order.
      ladderAckErrors: ladder.ackErrors,
      ladderMissing: ladder.missing,
      ackErrors: fixed.ackErrors,
      missing: fixed.missing,
      extra: fixed.extra + ladder.extra,
      foreign: fixed.foreign + ladder.foreign,
      orderViolations: fixed.orderViolations + ladder.orderViolations,
    };
  },

  async teardown(state) {
    for (const side of ['product', 'baseline']) await state.workers.disconnect(side);
  },
});
