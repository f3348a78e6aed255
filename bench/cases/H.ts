// H — connect storm: authenticated socket.io connections per second, messenger against a
// bare socket.io server that verifies the same kind of token the same way
// (bench/servers/socket-connect.ts).
//
// Each round mints a fresh access token for every connection (a user of its own, signed by
// auth's key as auth signs them, so no token was ever seen by either server), ships them to
// two load-generator processes (connect-storm-worker.ts), and then opens them all:
// `CONCURRENCY` handshakes in flight per worker, a new one as soon as one completes, each
// timed from `io()` to its `connect` event. The product verifies each token (ES256 against
// auth's JWKS, no verified-token cache — a socket verifies once), counts the connection in
// Redis, joins the user's room and announces presence; the baseline verifies the token with
// the same jose options and the same (absent) cache and joins the user's room.
//
// Figures: connects/s over the storm, p50/p99 handshake latency at that concurrency, CPU of
// the server process per connect (and, for the product, with Redis's share). Hard checks:
// every handshake of the round was accepted (its `connect` came — the contract has no
// event of its own for it: a refused handshake is a `connect_error`), and every socket was
// still connected when the round closed them. A slow machine gets fewer connects per round
// (scale), never under MIN_CONNECTS.

import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startChildServer } from '../lib/child';
import type { CloseResult, StormOrder, StormResult } from '../lib/connect-storm-worker';
import { defineCase } from '../lib/harness';
import { redisPid } from '../lib/infra-info';
import { LatencyRecorder } from '../lib/load';
import { accessTokenMinter, benchUsers } from '../lib/socket-bench';
import { benchPort } from '../lib/stack';
import { WorkerPool } from '../lib/worker-pool';

const BASELINE_PORT = benchPort(24106);
/** Connections per round and side (scaled down on a slow machine). */
const CONNECTS = Number(process.env.BENCH_H_CONNECTS ?? 1500);
const MIN_CONNECTS = 400;
const WORKERS = 2;
/** Handshakes in flight per load-generator process. */
const CONCURRENCY = 32;
/** After closing a round's sockets, for the servers to finish their disconnect work. */
const SETTLE_MS = 500;
const WORKER = path.join(__dirname, '..', 'lib', 'connect-storm-worker.ts');

export default defineCase({
  id: 'H',
  title: 'connect storm: authenticated socket.io handshakes per second',
  budgetMs: 90_000,
  rounds: 5,
  metrics: {
    connectsPerSec: { unit: 'connects/s', better: 'higher' },
    p50ConnectMs: { unit: 'ms', better: 'lower' },
    p99ConnectMs: { unit: 'ms', better: 'lower' },
    cpuMsPerConnect: { unit: 'CPU ms/connect (server process)', better: 'lower' },
  },
  // A soft target (the issue sets none for H); see bench/README.md.
  targets: [{ metric: 'connectsPerSec', ratio: { min: 0.5 } }],
  checks: [
    { metric: 'failedConnects', equals: 0 },
    { metric: 'droppedSockets', equals: 0 },
  ],

  async setup(ctx) {
    const { stack } = ctx;
    await stack.start(['messenger']);
    const [user] = await benchUsers(stack, 1);
    const mint = await accessTokenMinter(stack, user.accessToken);
    const baseline = await startChildServer(
      path.join(__dirname, '..', 'servers', 'socket-connect.ts'),
      {
        PORT: String(BASELINE_PORT),
        JWKS_URL: `${stack.urls.auth.http}/.well-known/jwks.json`,
        JWT_ISSUER: 'messenger-auth',
        JWT_AUDIENCE: 'messenger',
        // messenger's AccessTokenVerifier keeps no verified-token cache.
        VERIFIED_TOKEN_CACHE_SIZE: '0',
      },
      ctx,
    );
    const workers = await WorkerPool.start<StormOrder>(WORKERS, WORKER, { label: 'storm worker' });
    ctx.defer(() => workers.stop());
    ctx.addLoadGenerator(workers.pids);
    const redis = await redisPid();
    const sides: Record<string, { url: string; pid: number }> = {
      product: { url: stack.urls.messenger.http, pid: stack.pid('messenger') },
      baseline: { url: `http://127.0.0.1:${BASELINE_PORT}`, pid: baseline.pid },
    };
    return { sides, workers, mint, redis, connects: CONNECTS };
  },

  scale(state, factor) {
    state.connects = Math.max(MIN_CONNECTS, Math.round((CONNECTS * factor) / 100) * 100);
  },

  async run(state, side, ctx) {
    const { url, pid } = state.sides[side];
    const { workers, connects } = state;
    // A user and a token of its own per connection: nothing a server cached helps it.
    const tokens = await Promise.all(
      Array.from({ length: connects }, () => state.mint(randomUUID())),
    );
    await workers.all<Record<string, never>>(
      Array.from({ length: WORKERS }, (_, w) => ({
        type: 'prepare' as const,
        url,
        tokens: tokens.filter((_, i) => i % WORKERS === w),
        concurrency: CONCURRENCY,
      })),
    );
    const serverCpu = ctx.measureCpu(pid);
    const redisCpu = ctx.measureCpu(state.redis === undefined ? [] : [state.redis]);
    const started = performance.now();
    const storms = await workers.all<StormResult>(
      Array.from({ length: WORKERS }, () => ({ type: 'storm' as const })),
    );
    const elapsedSec = (performance.now() - started) / 1000;
    const cpuSec = serverCpu();
    const redisSec = redisCpu();
    const closed = await workers.all<CloseResult>(
      Array.from({ length: WORKERS }, () => ({ type: 'close' as const })),
    );
    await sleep(SETTLE_MS);

    const latency = new LatencyRecorder();
    for (const storm of storms) for (const ms of storm.latencies) latency.record(ms);
    const { p50, p99 } = latency.summary();
    const connected = storms.reduce((sum, s) => sum + s.connected, 0);
    const failed = storms.reduce((sum, s) => sum + s.failed, 0);
    const stillConnected = closed.reduce((sum, c) => sum + c.stillConnected, 0);
    const firstError = storms.find((s) => s.firstError)?.firstError;
    if (firstError) ctx.log(`${side}: ${failed} handshakes failed, first: ${firstError}`);
    if (side !== 'product' && failed > 0) throw new Error(`the ${side} refused handshakes`);
    return {
      connectsPerSec: connected / elapsedSec,
      p50ConnectMs: p50,
      p99ConnectMs: p99,
      cpuMsPerConnect: (cpuSec * 1000) / connected,
      cpuMsPerConnectWithRedis: ((cpuSec + redisSec) * 1000) / connected,
      connects,
      failedConnects: failed,
      droppedSockets: connected - stillConnected,
    };
  },

  async teardown() {},
});
