// What the socket.io cases (A1, A2, F) share on the parent side: access tokens for many
// users, the bare baseline server, the pool of load-generator processes and the merge of
// their results.

import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { REPO_ROOT } from '../../scripts/infra/lib';
import { TS_NODE_FLAGS } from './child';
import { stopChild, WorkerPool } from './worker-pool';
import { type CaseContext, cpuSecondsOf } from './harness';
import { kafkaPid, measureCpuOfProcesses, postgresPids, redisPid } from './infra-info';
import { LatencyRecorder, type LatencySummary } from './load';
import type {
  ConnectResult,
  PhaseOrder,
  PhaseResult,
  Room,
  WorkerOrder,
} from './socket-load-worker';
import { BENCH_INSTANCE, type BenchStack, benchDatabase, serviceEnv } from './stack';

const LIB_DIR = __dirname;
const LOG_DIR = path.join(REPO_ROOT, '.infra', 'bench-logs', String(BENCH_INSTANCE));

export interface BenchUser {
  userId: string;
  accessToken: string;
}

/** A room (chat) and its members, as the workers take it. */
export type RoomSpec = Room;

/** A server a case started for itself, in its own process. */
export interface CaseServer {
  url: string;
  pid: number;
  close: () => Promise<void>;
}

/**
 * Access tokens for `count` users, signed by auth's own current key exactly as auth signs
 * them (ES256, `typ: at+jwt`, auth's issuer and audience and `kid`), so messenger verifies
 * them against auth's real JWKS like any token auth issued.
 *
 * Why not register them all: registration hashes a password with argon2id (OWASP cost,
 * tens of milliseconds of CPU each), so 10,000 registrations would take minutes of the
 * benchmark's 2 cores and measure auth, not the gateway. One user is registered through
 * auth — that proves the chain and names the key — and the rest are minted with the same
 * key (as test/e2e/support/access-tokens.ts does). messenger needs no other trace of a
 * user: chats and memberships are created through its socket API.
 *
 * @param stack   with auth started
 */
export async function benchUsers(stack: BenchStack, count: number): Promise<BenchUser[]> {
  const [registered] = await stack.registerUsers(1, { prefix: 'sock' });
  const mint = await accessTokenMinter(stack, registered.accessToken);
  const users = [{ userId: registered.userId, accessToken: registered.accessToken }];
  while (users.length < count) {
    const userId = randomUUID();
    users.push({ userId, accessToken: await mint(userId) });
  }
  return users;
}

/**
 * A function minting access tokens as auth issues them (ES256 with auth's current key and
 * `kid`, `typ: at+jwt`, auth's issuer and audience, `email`, a session id `sid` of its own
 * and `roles`), valid for two hours. `issued` is a token auth issued, naming the key.
 * @param stack   with auth started
 */
export async function accessTokenMinter(
  stack: BenchStack,
  issued: string,
): Promise<(userId: string, email?: string) => Promise<string>> {
  const kid = decodeProtectedHeader(issued).kid;
  const { rows } = await stack
    .db('auth')
    .query<{ private_jwk: JWK }>('SELECT private_jwk FROM signing_keys WHERE kid = $1', [kid]);
  if (rows.length === 0) throw new Error(`auth has no signing key ${kid}`);
  const key = await importJWK(rows[0].private_jwk, 'ES256');
  const expiresAt = Math.floor(Date.now() / 1000) + 2 * 3600;
  return (userId, email = `${userId}@bench.example`) =>
    new SignJWT({ email, sid: randomUUID(), roles: ['user'] })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
      .setSubject(userId)
      .setIssuer('messenger-auth')
      .setAudience('messenger')
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(expiresAt)
      .sign(key);
}

/**
 * Splits users into rooms of `size`, for one side. Product members authenticate with their
 * token and get their chat from `chat:create`; members of a baseline side (any side but
 * `product`) name their room — a UUID, like a chat id — in the handshake. Both send the same access token in the handshake, so both servers receive the
 * same bytes per connection (the baseline, with no auth, only holds it as socket.io does:
 * in `handshake.auth`, and ws keeps the last frame read); without it a bare server would be
 * spared ~1 KiB per socket of client input the product cannot refuse to receive (bench F).
 */
export function roomsOf(users: readonly BenchUser[], size: number, side: string): RoomSpec[] {
  const rooms: RoomSpec[] = [];
  for (let i = 0; i + size <= users.length; i += size) {
    const chatId = randomUUID();
    const members = users.slice(i, i + size).map((user) => ({
      userId: user.userId,
      auth:
        side === 'product'
          ? { token: user.accessToken }
          : { token: user.accessToken, userId: user.userId, room: chatId },
    }));
    rooms.push(side === 'product' ? { members } : { chatId, members });
  }
  return rooms;
}

/**
 * The bare socket.io relay (socket-baseline-server.ts) in its own process; with
 * `redisAdapter`, fanning out through `@socket.io/redis-adapter` on the stack's Redis as
 * messenger does (its own channel prefix per bench instance, so it hears no other stack).
 */
export async function startBaselineServer({
  env = {},
  redisAdapter = false,
}: { env?: Record<string, string>; redisAdapter?: boolean } = {}): Promise<CaseServer> {
  if (redisAdapter) {
    env = {
      ...env,
      REDIS_URL: serviceEnv('messenger').REDIS_URL,
      REDIS_ADAPTER_KEY: `bench-relay-${BENCH_INSTANCE}-${process.pid}`,
    };
  }
  const child = fork(path.join(LIB_DIR, 'socket-baseline-server.ts'), [], {
    env: { ...process.env, ...env, PORT: '0' },
    execArgv: [...TS_NODE_FLAGS],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('baseline server did not start')), 15_000);
    child.once('exit', (code) => reject(new Error(`baseline server exited (${code})`)));
    child.on('message', (message: unknown) => {
      const { type, port } = (message ?? {}) as { type?: unknown; port?: unknown };
      if (type !== 'listening' || typeof port !== 'number') return;
      clearTimeout(timer);
      resolve(port);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    close: () => stopChild(child),
  };
}

/**
 * A messenger process of the case's own, beside the stack's: the same build and
 * environment as the stack's messenger, on another port, with extra `node` flags and
 * environment (F starts one per round with the memory probe preloaded). It shares the
 * stack's database, Redis and Kafka consumer group, as a second instance in production
 * would.
 */
export async function startExtraMessenger(
  stack: BenchStack,
  {
    port,
    nodeFlags = [],
    env = {},
  }: { port: number; nodeFlags?: string[]; env?: Record<string, string> },
): Promise<CaseServer> {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(path.join(LOG_DIR, `messenger-${port}.log`), { flags: 'a' });
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...serviceEnv('messenger'),
    ...env,
    HTTP_PORT: String(port),
  };
  delete childEnv.NODE_OPTIONS;
  const entry = path.join(stack.buildDir, 'apps', 'messenger', 'src', 'main.js');
  const child = spawn(process.execPath, [...nodeFlags, entry], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  // A case that overran its budget leaves its round running; the run then exits, and this
  // process (no IPC channel to notice) must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`messenger on ${port} exited (${child.exitCode})`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`messenger on ${port} not ready within 60 s`);
    }
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return { url, pid: child.pid as number, close: () => stopChild(child) };
}

/**
 * Load-generator processes (socket-load-worker.ts). Rooms are dealt to them whole, so
 * each room's sender and receivers share a clock.
 */
export class LoadWorkers {
  private constructor(private readonly pool: WorkerPool<WorkerOrder>) {}

  static async start(count: number): Promise<LoadWorkers> {
    const pool = await WorkerPool.start<WorkerOrder>(
      count,
      path.join(LIB_DIR, 'socket-load-worker.ts'),
      { label: 'load worker', execArgv: ['--max-old-space-size=4096'] },
    );
    return new LoadWorkers(pool);
  }

  get pids(): number[] {
    return this.pool.pids;
  }

  /**
   * Deals the rooms out and connects every member; with `createChats`, the product's
   * group chats are created. Resolves the rooms with their chat ids.
   * @param side   'product' or 'baseline': both sides may stay connected at once
   */
  async connect(
    side: string,
    url: string,
    rooms: RoomSpec[],
    { createChats = false, batch = 100 }: { createChats?: boolean; batch?: number } = {},
  ): Promise<ConnectResult> {
    const shares = Array.from({ length: this.pool.size }, (_, w) =>
      rooms.filter((_, r) => r % this.pool.size === w),
    );
    const results = await Promise.all(
      shares.map((share, w) =>
        this.pool.call<ConnectResult>(w, {
          type: 'connect',
          side,
          url,
          rooms: share,
          createChats,
          batch,
        }),
      ),
    );
    return {
      sockets: results.reduce((sum, r) => sum + r.sockets, 0),
      connectMs: Math.max(...results.map((r) => r.connectMs)),
      chatIds: results.flatMap((r) => r.chatIds),
    };
  }

  /**
   * One measurement phase on every worker at once (an open-loop rate is split evenly),
   * merged: counts summed, latencies pooled.
   */
  async phase(order: Omit<PhaseOrder, 'type'>): Promise<PhaseSummary> {
    const n = this.pool.size;
    const results = await Promise.all(
      Array.from({ length: this.pool.size }, (_, w) =>
        this.pool.call<PhaseResult>(w, {
          type: 'phase',
          ...order,
          ratePerSec: order.ratePerSec === undefined ? undefined : order.ratePerSec / n,
        }),
      ),
    );
    const latency = new LatencyRecorder();
    const merged = {
      sends: 0,
      acked: 0,
      ackErrors: 0,
      expected: 0,
      received: 0,
      inWindow: 0,
      orderViolations: 0,
      missing: 0,
      extra: 0,
      foreign: 0,
      lost: 0,
      firstError: '',
      windowMs: order.durationMs,
    };
    for (const result of results) {
      for (const key of SUMMED) merged[key] += result[key];
      merged.firstError ||= result.firstError;
      for (const ms of result.latencies) latency.record(ms);
    }
    return { ...merged, latency: latency.summary() };
  }

  /** Closes the sockets of one side (the workers stay up). */
  async disconnect(side: string): Promise<void> {
    await Promise.all(
      Array.from({ length: this.pool.size }, (_, w) =>
        this.pool.call<unknown>(w, { type: 'disconnect', side }),
      ),
    );
  }

  /** Ends the worker processes. */
  stop(): Promise<void> {
    return this.pool.stop();
  }
}

/** The counts `LoadWorkers.phase` adds up over the workers. */
const SUMMED = [
  'sends',
  'acked',
  'ackErrors',
  'expected',
  'received',
  'inWindow',
  'orderViolations',
  'missing',
  'extra',
  'foreign',
  'lost',
] as const;

/** A phase over every worker: counts summed, latencies pooled. */
export type PhaseSummary = Record<(typeof SUMMED)[number], number> & {
  firstError: string;
  windowMs: number;
  latency: LatencySummary;
};

/**
 * What messenger's replicas would hold had the users registered and befriended each other
 * through auth and friends: every user in its `users` replica, and each room's first member
 * (who creates the group chat) a friend of the others in its `friendships` replica — a
 * group's creator may only add friends. Written straight into messenger's bench database
 * (as case C seeds friends' projection): a thousand registrations and 9,000 friend requests
 * through the APIs would take minutes of the cores for nothing the cases measure.
 */
export async function seedMessengerReplicas(
  stack: BenchStack,
  users: readonly BenchUser[],
  rooms: readonly RoomSpec[],
): Promise<void> {
  const db = stack.db('messenger');
  const ids = users.map((u) => u.userId);
  await db.query(
    `INSERT INTO users (id, nickname)
     SELECT id, 'bench_' || left(replace(id::text, '-', ''), 20) FROM unnest($1::uuid[]) AS t (id)
     ON CONFLICT (id) DO NOTHING`,
    [ids],
  );
  const from: string[] = [];
  const to: string[] = [];
  for (const { members } of rooms) {
    const [creator, ...others] = members;
    for (const other of others) {
      from.push(creator.userId, other.userId);
      to.push(other.userId, creator.userId);
    }
  }
  await db.query(
    `INSERT INTO friendships (user_id, friend_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
    [from, to],
  );
}

/**
 * The set-up A1 and A2 share: the stack's messenger, `connections` users, two bare
 * servers — `baseline`, fanning out through the Redis adapter on the same Redis as the
 * product, and `relay`, without an adapter (for information) — `workers` load-generator
 * processes, and every user connected to all three sides in rooms of `roomSize` (group
 * chats created through the product's `chat:create`). Cleanup is deferred to the harness.
 */
export async function connectRooms(
  ctx: CaseContext,
  {
    connections,
    roomSize,
    workers: workerCount,
  }: { connections: number; roomSize: number; workers: number },
) {
  await ctx.stack.start(['messenger']);
  const users = await benchUsers(ctx.stack, connections);
  const baseline = await startBaselineServer({ redisAdapter: true });
  ctx.defer(baseline.close);
  const relay = await startBaselineServer();
  ctx.defer(relay.close);
  const workers = await LoadWorkers.start(workerCount);
  ctx.defer(() => workers.stop());
  ctx.addLoadGenerator(workers.pids);

  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const productRooms = roomsOf(users, roomSize, 'product');
  await seedMessengerReplicas(ctx.stack, users, productRooms);
  const product = await workers.connect('product', ctx.stack.urls.messenger.http, productRooms, {
    createChats: true,
  });
  ctx.log(
    `product: ${product.sockets} sockets up and chats created in ${seconds(product.connectMs)}`,
  );
  for (const [side, server] of Object.entries({ baseline, relay })) {
    const up = await workers.connect(side, server.url, roomsOf(users, roomSize, side));
    ctx.log(`${side}: ${up.sockets} sockets up in ${seconds(up.connectMs)}`);
  }
  return { workers, baseline, relay, chatIds: product.chatIds };
}

/**
 * Server CPU per side of A1/A2, over every server-side process of that side: the product is
 * messenger, its PostgreSQL backends (and the server's WAL writer, checkpointer and
 * background writer), Redis and — with `kafka` — the Kafka broker; the baseline is the
 * relay and Redis (its adapter's pub/sub); the adapter-less relay is its one process.
 * Redis, Kafka and PostgreSQL's background processes serve whatever else runs on the
 * machine too, so on a shared machine these figures carry its noise.
 */
export async function serverCpuMeter(
  ctx: CaseContext,
  servers: { baseline: { pid: number }; relay: { pid: number } },
  { kafka = false }: { kafka?: boolean } = {},
): Promise<(side: string) => Promise<() => Promise<number>>> {
  const redis = await redisPid();
  const broker = kafka ? kafkaPid() : undefined;
  if (redis === undefined || (kafka && broker === undefined)) {
    throw new Error('Redis or Kafka has no local process to measure');
  }
  const db = ctx.stack.db('messenger');
  const database = benchDatabase('messenger');
  const lists: Record<string, () => Promise<number[]>> = {
    product: async () => [
      ctx.stack.pid('messenger'),
      ...(await postgresPids(db, database)),
      redis,
      ...(broker === undefined ? [] : [broker]),
    ],
    baseline: () => Promise.resolve([servers.baseline.pid, redis]),
    relay: () => Promise.resolve([servers.relay.pid]),
  };
  return (side) => measureCpuOfProcesses(lists[side], cpuSecondsOf);
}
