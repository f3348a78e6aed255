// The product under benchmark: the four services, built once into .infra/bench-dist and
// run as child processes on bench-only ports against fresh `<svc>_bench` databases —
// apart from a stack of `npm run up` (3001–3004) and the e2e stacks (13001+…), so the
// benchmark can run beside either. Started lazily: a case asks for what it needs and
// whatever is already up stays up for the next case.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { probeTcp, REPO_ROOT, sleep } from '../../scripts/infra/lib.mjs';

const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SERVER_URL = ADMIN_URL.replace(/\/[^/]*$/, '');
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

/**
 * Which bench stack this is (`BENCH_INSTANCE`, 0–9, default 0). Another instance shifts
 * every port by 100 × instance and uses its own databases, consumer groups and Redis
 * prefix, so a second run (say, one case while developing it) cannot disturb the first.
 * Two runs at once still share the two cores, so their figures are not worth keeping.
 */
export const BENCH_INSTANCE = Number(process.env.BENCH_INSTANCE ?? 0);
if (!Number.isInteger(BENCH_INSTANCE) || BENCH_INSTANCE < 0 || BENCH_INSTANCE > 9) {
  throw new Error(`BENCH_INSTANCE must be 0–9, got ${process.env.BENCH_INSTANCE}`);
}
const SUFFIX = BENCH_INSTANCE === 0 ? '' : `_${BENCH_INSTANCE}`;

/**
 * Where `npm run bench` builds the services (BUILD_OUT_DIR of scripts/build.mjs); one
 * folder per instance, so two instances never rebuild under each other's feet.
 */
export const BENCH_BUILD_DIR = path.join(
  '.infra',
  BENCH_INSTANCE === 0 ? 'bench-dist' : `bench-dist-${BENCH_INSTANCE}`,
);
const READY_TIMEOUT_MS = 90_000;
const LOG_DIR = path.join(REPO_ROOT, '.infra', 'bench-logs', String(BENCH_INSTANCE));

/**
 * A port of this bench instance: `benchPort(26151)` for a case's own baseline server keeps
 * it apart from the same server of another instance. Cases' own servers take bases of
 * 240xx–241xx (HTTP) or 261xx and up (gRPC and others), each base with last two digits of
 * its own: a base of 231xx or 251xx would be the services' port of the next instance
 * (23003 + 100 × (n + 1) = 23103 + 100 × n).
 * @param {number} base
 */
export const benchPort = (base) => base + 100 * BENCH_INSTANCE;

/** Bench ports: HTTP 23001–23004, gRPC 25051–25053 (instance 0). */
export const PORTS = {
  auth: { http: benchPort(23001), grpc: benchPort(25051) },
  profile: { http: benchPort(23002), grpc: benchPort(25052) },
  friends: { http: benchPort(23003), grpc: benchPort(25053) },
  messenger: { http: benchPort(23004) },
};

/** @typedef {'auth' | 'profile' | 'friends' | 'messenger'} ServiceName */

/** Start order, as in the e2e suite: profile serves auth's registration saga, auth the JWKS. */
const START_ORDER = /** @type {ServiceName[]} */ (['profile', 'auth', 'friends', 'messenger']);
/** What each service needs running to be useful (registering users needs profile and auth). */
const NEEDS = {
  auth: ['profile'],
  profile: ['auth'],
  friends: ['profile', 'auth'],
  messenger: ['profile', 'auth', 'friends'],
};

/**
 * The service credential of the bench stack (ADR 0015): every service gets it; auth's
 * ValidateToken and all of profile's and friends' RPCs demand it.
 */
export const INTERNAL_API_TOKEN = 'bench-internal-token-0123456789abcdef-0123456789';
/** Password of every user {@link BenchStack.registerUsers} creates. */
export const BENCH_PASSWORD = 'bench-password-0123';

/** Database of a service in the bench stack. */
export const benchDatabase = (service) => `${service}_bench${SUFFIX}`;

/**
 * The environment of a bench service: production mode (no dev conveniences), logs at
 * `warn` (log I/O would otherwise dominate hot paths), no tracing export, and abuse
 * limits raised far above what the load generators send — the benchmarks measure the hot
 * path, not the limiter's refusals.
 * @param {ServiceName} service
 * @returns {Record<string, string>}
 */
export function serviceEnv(service) {
  const env = {
    NODE_ENV: 'production',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    KAFKA_BROKERS,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    KAFKA_GROUP_ID: `${service}-bench${SUFFIX}`,
    KAFKA_TOPIC_PREFIX: `bench${SUFFIX}.`, // own topics on a shared broker (ADR 0034)
    AUTH_JWKS_URL: `http://127.0.0.1:${PORTS.auth.http}/.well-known/jwks.json`,
    PROFILE_GRPC_URL: `127.0.0.1:${PORTS.profile.grpc}`,
    FRIENDS_GRPC_URL: `127.0.0.1:${PORTS.friends.grpc}`,
    DATABASE_URL: `${SERVER_URL}/${benchDatabase(service)}`,
    HTTP_PORT: String(PORTS[service].http),
    OUTBOX_POLL_MS: process.env.BENCH_OUTBOX_POLL_MS ?? '500',
    INTERNAL_API_TOKEN,
  };
  if ('grpc' in PORTS[service]) {
    Object.assign(env, { GRPC_PORT: String(PORTS[service].grpc), GRPC_HOST: '127.0.0.1' });
  }
  if (service === 'auth') {
    Object.assign(env, {
      REDIS_KEY_PREFIX: `auth-bench${SUFFIX}`,
      ACCESS_TOKEN_TTL: '7200',
      REGISTER_MAX_PER_ACCOUNT: '1000',
      REGISTER_MAX_PER_ADDRESS: '10000000',
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '10000000',
    });
  }
  if (service === 'friends' || service === 'profile') {
    Object.assign(env, {
      REDIS_KEY_PREFIX: `${service}-bench${SUFFIX}`,
      RATE_LIMIT_PER_USER: '1000000000',
      RATE_LIMIT_PER_ADDRESS: '1000000000',
    });
  }
  if (service === 'messenger') {
    Object.assign(env, {
      CORS_ORIGINS: 'http://127.0.0.1',
      // The socket.io adapter's channels are under it: no other stack hears this one's pushes.
      REDIS_KEY_PREFIX: `messenger-bench${SUFFIX}`,
      MESSAGES_PER_SECOND: '1000000',
      MESSAGE_BURST: '1000000',
      MAX_CONNECTIONS_PER_USER: '100000',
    });
  }
  return env;
}

/** Variables of the bench runner's own environment that must not leak into a service. */
const SCRUBBED = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'NODE_OPTIONS', 'DATABASE_URL', 'PORT'];

/**
 * The running bench services. One instance per `npm run bench`; `stop()` (also run on
 * exit and on SIGINT/SIGTERM by bench/run.mjs) kills every child it started.
 */
export class BenchStack {
  /** @type {Map<ServiceName, import('node:child_process').ChildProcess>} */
  #children = new Map();
  /** @type {Set<string>} databases recreated in this run */
  #freshDatabases = new Set();
  /** @type {pg.Pool | undefined} */
  #admin;
  /** @type {Map<string, pg.Pool>} */
  #pools = new Map();
  #userCounter = 0;
  #runTag = Date.now().toString(36);
  #log;
  #buildDir;
  /** Extra `node` flags per service, e.g. `{ friends: ['--cpu-prof'] }` (BENCH_NODE_FLAGS_<SVC>). */
  #nodeFlags;

  /**
   * @param {{ log?: (msg: string) => void, buildDir?: string, nodeFlags?: Partial<Record<ServiceName, string[]>> }} [options]
   */
  constructor({ log = (m) => process.stdout.write(`[stack] ${m}\n`), buildDir, nodeFlags } = {}) {
    this.#log = log;
    this.#buildDir = path.resolve(REPO_ROOT, buildDir ?? BENCH_BUILD_DIR);
    this.#nodeFlags = nodeFlags ?? flagsFromEnv();
  }

  /** Base URLs and addresses of each service. */
  get urls() {
    return {
      auth: { http: `http://127.0.0.1:${PORTS.auth.http}`, grpc: `127.0.0.1:${PORTS.auth.grpc}` },
      profile: {
        http: `http://127.0.0.1:${PORTS.profile.http}`,
        grpc: `127.0.0.1:${PORTS.profile.grpc}`,
      },
      friends: {
        http: `http://127.0.0.1:${PORTS.friends.http}`,
        grpc: `127.0.0.1:${PORTS.friends.grpc}`,
      },
      messenger: { http: `http://127.0.0.1:${PORTS.messenger.http}` },
    };
  }

  /** The bench build folder, e.g. for a case that loads the built proto files. */
  get buildDir() {
    return this.#buildDir;
  }

  /**
   * Process id of a running service.
   * @param {ServiceName} service
   */
  pid(service) {
    const pid = this.#children.get(service)?.pid;
    if (pid === undefined) throw new Error(`${service} is not running in the bench stack`);
    return pid;
  }

  /** Pids of every running service, by name. */
  get pids() {
    return Object.fromEntries([...this.#children].map(([name, child]) => [name, child.pid]));
  }

  /**
   * Starts the given services (and what they need) unless already running, and waits for
   * each to report ready. The first start of a service recreates its database.
   * @param {readonly ServiceName[]} services
   */
  async start(services) {
    const wanted = new Set(services.flatMap((s) => [s, ...NEEDS[s]]));
    for (const service of START_ORDER) {
      if (!wanted.has(service) || this.#children.has(service)) continue;
      const started = Date.now();
      if (await probeTcp('127.0.0.1', PORTS[service].http)) {
        throw new Error(
          `port ${PORTS[service].http} of ${service} is taken — another \`npm run bench\` running? ` +
            '(BENCH_INSTANCE=1 runs a second stack apart)',
        );
      }
      await this.#recreateDatabase(service);
      const child = this.#spawn(service);
      await this.#waitReady(service, child);
      this.#log(`${service} ready in ${Date.now() - started} ms (pid ${child.pid})`);
    }
  }

  /**
   * Restarts one service (its database kept), e.g. to measure memory from a clean heap.
   * @param {ServiceName} service
   */
  async restart(service) {
    await this.#kill(service);
    const child = this.#spawn(service);
    await this.#waitReady(service, child);
  }

  /**
   * Waits until the consumer groups of the given services are stable with members, so
   * events published now are consumed without a rebalance delay.
   * @param {readonly ServiceName[]} services
   * @param {number} [timeoutMs]
   */
  async waitForConsumers(services, timeoutMs = 60_000) {
    const admin = new Kafka({
      clientId: 'bench-stack',
      brokers: KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const groupIds = services.map((s) => serviceEnv(s).KAFKA_GROUP_ID);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { groups } = await admin.describeGroups(groupIds);
        const waiting = groups.filter((g) => g.state !== 'Stable' || g.members.length === 0);
        if (waiting.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`consumer groups not stable: ${waiting.map((g) => g.groupId).join()}`);
        }
        await sleep(300);
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * A pool on the bench database of a service (or of any database by name), for seeding
   * and for reading state back; closed by `stop()`.
   * @param {ServiceName | string} service
   * @returns {pg.Pool}
   */
  db(service) {
    const name = service in PORTS ? benchDatabase(service) : service;
    let pool = this.#pools.get(name);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: `${SERVER_URL}/${name}`,
        max: 4,
        application_name: 'bench',
      });
      this.#pools.set(name, pool);
    }
    return pool;
  }

  /**
   * Connection URL of a service's bench database, for a baseline server reading the same data.
   * @param {ServiceName} service
   */
  databaseUrl(service) {
    return `${SERVER_URL}/${benchDatabase(service)}`;
  }

  /** A pool on the server's `postgres` database (create/drop databases). */
  get admin() {
    this.#admin ??= new pg.Pool({ connectionString: ADMIN_URL, max: 2 });
    return this.#admin;
  }

  /**
   * Registers `count` fresh users through auth's HTTP gateway (the real registration
   * saga: profile reserves the nickname, the profile row follows by event).
   * @param {number} count
   * @param {{ concurrency?: number, prefix?: string }} [options]
   * @returns {Promise<{ userId: string, email: string, nickname: string, accessToken: string, refreshToken: string }[]>}
   */
  async registerUsers(count, { concurrency = 4, prefix = 'b' } = {}) {
    await this.start(['auth']);
    const users = new Array(count);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const index = next++;
        const n = ++this.#userCounter;
        const nickname = `${prefix}${this.#runTag}_${n}`.slice(0, 32);
        const email = `${nickname}@bench.example`;
        const response = await fetch(`${this.urls.auth.http}/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: BENCH_PASSWORD, nickname }),
        });
        if (!response.ok) {
          throw new Error(`register ${email}: ${response.status} ${await response.text()}`);
        }
        const tokens = await response.json();
        users[index] = { ...tokens, email, nickname };
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return users;
  }

  /** Kills every service this stack started and closes its pools. */
  async stop() {
    await Promise.all([...this.#children.keys()].map((s) => this.#kill(s)));
    const pools = [...this.#pools.values(), ...(this.#admin ? [this.#admin] : [])];
    this.#pools.clear();
    this.#admin = undefined;
    await Promise.allSettled(pools.map((p) => p.end()));
  }

  /** Synchronous last resort for `process.on('exit')`: SIGKILL whatever still runs. */
  killAllNow() {
    for (const child of this.#children.values()) {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  async #recreateDatabase(service) {
    const name = benchDatabase(service);
    if (this.#freshDatabases.has(name)) return;
    await this.#pools.get(name)?.end();
    this.#pools.delete(name);
    // The name ends in "_bench": this never drops a database anyone keeps data in.
    await this.admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await this.admin.query(`CREATE DATABASE "${name}"`);
    this.#freshDatabases.add(name);
  }

  #spawn(service) {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(path.join(LOG_DIR, `${service}.log`), { flags: 'a' });
    const env = { ...process.env, ...serviceEnv(service) };
    for (const name of SCRUBBED) if (!(name in serviceEnv(service))) delete env[name];
    const entry = path.join(this.#buildDir, 'apps', service, 'src', 'main.js');
    const child = spawn(process.execPath, [...(this.#nodeFlags[service] ?? []), entry], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.#children.set(service, child);
    return child;
  }

  async #waitReady(service, child) {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const url = `${this.urls[service].http}/health/ready`;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const response = await fetch(url);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    const tail = readFileSync(path.join(LOG_DIR, `${service}.log`), 'utf8')
      .split('\n')
      .slice(-30)
      .join('\n');
    throw new Error(`${service} not ready (exit code ${child.exitCode}); log tail:\n${tail}`);
  }

  async #kill(service) {
    const child = this.#children.get(service);
    this.#children.delete(service);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** `BENCH_NODE_FLAGS_FRIENDS="--cpu-prof --cpu-prof-dir=.infra/prof"` and the like. */
function flagsFromEnv() {
  return Object.fromEntries(
    Object.keys(PORTS).map((s) => [
      s,
      (process.env[`BENCH_NODE_FLAGS_${s.toUpperCase()}`] ?? '').split(/\s+/).filter(Boolean),
    ]),
  );
}
