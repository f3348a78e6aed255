// The product under benchmark: the four services of the orchestrator's `bench` profile
// (scripts/stack/profiles.ts), built once into .infra/bench-dist and run as child
// processes on bench-only ports against fresh `<svc>_bench` databases and `bench.*` topics
// — apart from a stack of `npm run up` (3001–3004) and the e2e stacks (13001+…), so the
// benchmark can run beside either. Started lazily: a case asks for what it needs and
// whatever is already up stays up for the next case.

import path from 'node:path';
import pg from 'pg';
import {
  type BenchProfile,
  databaseUrl,
  groupsOf,
  probeTcp,
  profiles,
  recreateDatabases,
  REPO_ROOT,
  resetStackData,
  type RunningService,
  type ServiceName,
  stackUrls,
  startService,
  waitForConsumerGroups,
  waitReady,
} from '../../scripts/stack';

export type { ServiceName };

/**
 * This bench stack (`BENCH_INSTANCE`, 0–9, default 0). Another instance shifts every port
 * by 100 × instance and uses its own databases, consumer groups, topics and Redis prefix,
 * so a second run (say, one case while developing it) cannot disturb the first. Two runs
 * at once still share the two cores, so their figures are not worth keeping.
 */
export const benchProfile: BenchProfile = profiles.bench();

export const BENCH_INSTANCE = benchProfile.instance;

/**
 * Where `npm run bench` builds the services (BUILD_OUT_DIR of scripts/build.ts), relative
 * to the repository; one folder per instance, so two instances never rebuild under each
 * other's feet.
 */
export const BENCH_BUILD_DIR = path.relative(REPO_ROOT, benchProfile.buildDir);

/**
 * A port of this bench instance: `benchPort(26151)` for a case's own baseline server keeps
 * it apart from the same server of another instance. Cases' own servers take bases of
 * 240xx–241xx (HTTP) or 261xx and up (gRPC and others), each base with last two digits of
 * its own: a base of 231xx or 251xx would be the services' port of the next instance
 * (23003 + 100 × (n + 1) = 23103 + 100 × n).
 */
export const benchPort = (base: number): number => base + 100 * BENCH_INSTANCE;

/** Bench ports: HTTP 23001–23004, gRPC 25051–25053 (instance 0). */
export const PORTS = {
  auth: { http: benchProfile.ports.auth.http, grpc: benchProfile.ports.auth.grpc! },
  profile: { http: benchProfile.ports.profile.http, grpc: benchProfile.ports.profile.grpc! },
  friends: { http: benchProfile.ports.friends.http, grpc: benchProfile.ports.friends.grpc! },
  messenger: { http: benchProfile.ports.messenger.http },
};

/** Start order, as in the e2e suite: profile serves auth's registration saga, auth the JWKS. */
const START_ORDER: readonly ServiceName[] = ['profile', 'auth', 'friends', 'messenger'];
/** What each service needs running to be useful (registering users needs profile and auth). */
const NEEDS: Record<ServiceName, ServiceName[]> = {
  auth: ['profile'],
  profile: ['auth'],
  friends: ['profile', 'auth'],
  messenger: ['profile', 'auth', 'friends'],
};

/**
 * The service credential of the bench stack (ADR 0015): every service gets it; auth's
 * ValidateToken and all of profile's and friends' RPCs demand it.
 */
export const INTERNAL_API_TOKEN = benchProfile.internalApiToken;
/** Password of every user {@link BenchStack.registerUsers} creates. */
export const BENCH_PASSWORD = 'bench-password-0123';

/** Database of a service in the bench stack. */
export const benchDatabase = (service: ServiceName): string => benchProfile.databases[service];

/** The environment of a bench service (the `bench` profile's). */
export function serviceEnv(service: ServiceName): Record<string, string> {
  return benchProfile.env(service) as Record<string, string>;
}

/** A user registered through auth's HTTP gateway. */
export interface RegisteredUser {
  userId: string;
  email: string;
  nickname: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * The running bench services. One instance per `npm run bench`; `stop()` (also run on
 * exit and on SIGINT/SIGTERM by bench/run) kills every child it started.
 */
export class BenchStack {
  #running = new Map<ServiceName, RunningService>();
  /** Databases recreated in this run. */
  #freshDatabases = new Set<string>();
  #topicsReset = false;
  #admin: pg.Pool | undefined;
  #pools = new Map<string, pg.Pool>();
  #userCounter = 0;
  #runTag = Date.now().toString(36);
  #log: (msg: string) => void;
  #profile: BenchProfile;
  /** Extra `node` flags per service, e.g. `{ friends: ['--cpu-prof'] }` (BENCH_NODE_FLAGS_<SVC>). */
  #nodeFlags: Partial<Record<ServiceName, string[]>>;

  constructor({
    log = (m: string) => process.stdout.write(`[stack] ${m}\n`),
    buildDir,
    nodeFlags,
  }: {
    log?: (msg: string) => void;
    buildDir?: string;
    nodeFlags?: Partial<Record<ServiceName, string[]>>;
  } = {}) {
    this.#log = log;
    this.#profile = buildDir
      ? { ...benchProfile, buildDir: path.resolve(REPO_ROOT, buildDir) }
      : benchProfile;
    this.#nodeFlags = nodeFlags ?? flagsFromEnv();
  }

  /** Base URLs and addresses of each service. */
  get urls() {
    return stackUrls(this.#profile);
  }

  /** The bench build folder, e.g. for a case that loads the built proto files. */
  get buildDir(): string {
    return this.#profile.buildDir;
  }

  /** Process id of a running service. */
  pid(service: ServiceName): number {
    const pid = this.#running.get(service)?.pid;
    if (pid === undefined) throw new Error(`${service} is not running in the bench stack`);
    return pid;
  }

  /** Pids of every running service, by name. */
  get pids(): Partial<Record<ServiceName, number>> {
    return Object.fromEntries([...this.#running].map(([name, running]) => [name, running.pid]));
  }

  /**
   * Starts the given services (and what they need) unless already running, and waits for
   * each to report ready. The first start of a service recreates its database; the first
   * start of any deletes the stack's topics (a run reads only its own events).
   */
  async start(services: readonly ServiceName[]): Promise<void> {
    const wanted = new Set(services.flatMap((s) => [s, ...NEEDS[s]]));
    for (const service of START_ORDER) {
      if (!wanted.has(service) || this.#running.has(service)) continue;
      const started = Date.now();
      const port = this.#profile.ports[service].http;
      if (await probeTcp('127.0.0.1', port)) {
        throw new Error(
          `port ${port} of ${service} is taken — another \`npm run bench\` running? ` +
            '(BENCH_INSTANCE=1 runs a second stack apart)',
        );
      }
      await this.#freshen(service);
      const running = this.#spawn(service);
      await waitReady(running, port);
      this.#log(`${service} ready in ${Date.now() - started} ms (pid ${running.pid})`);
    }
  }

  /** Restarts one service (its database kept), e.g. to measure memory from a clean heap. */
  async restart(service: ServiceName): Promise<void> {
    await this.#kill(service);
    const running = this.#spawn(service);
    await waitReady(running, this.#profile.ports[service].http);
  }

  /**
   * Waits until the consumer groups of the given services are stable with members, so
   * events published now are consumed without a rebalance delay.
   */
  async waitForConsumers(services: readonly ServiceName[], timeoutMs = 60_000): Promise<void> {
    await waitForConsumerGroups(groupsOf(this.#profile, services), { timeoutMs });
  }

  /**
   * A pool on the bench database of a service (or of any database by name), for seeding
   * and for reading state back; closed by `stop()`.
   */
  db(service: ServiceName | (string & {})): pg.Pool {
    const name =
      service in this.#profile.databases
        ? this.#profile.databases[service as ServiceName]
        : service;
    let pool = this.#pools.get(name);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: databaseUrl(name),
        max: 4,
        application_name: 'bench',
      });
      this.#pools.set(name, pool);
    }
    return pool;
  }

  /** Connection URL of a service's bench database, for a baseline server reading the same data. */
  databaseUrl(service: ServiceName): string {
    return databaseUrl(this.#profile.databases[service]);
  }

  /** A pool on the server's `postgres` database (create/drop databases). */
  get admin(): pg.Pool {
    this.#admin ??= new pg.Pool({ connectionString: databaseUrl('postgres'), max: 2 });
    return this.#admin;
  }

  /**
   * Registers `count` fresh users through auth's HTTP gateway (the real registration
   * saga: profile reserves the nickname, the profile row follows by event).
   */
  async registerUsers(
    count: number,
    { concurrency = 4, prefix = 'b' }: { concurrency?: number; prefix?: string } = {},
  ): Promise<RegisteredUser[]> {
    await this.start(['auth']);
    const users = new Array<RegisteredUser>(count);
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
        const tokens = (await response.json()) as Omit<RegisteredUser, 'email' | 'nickname'>;
        users[index] = { ...tokens, email, nickname };
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    return users;
  }

  /** Kills every service this stack started and closes its pools. */
  async stop(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((s) => this.#kill(s)));
    const pools = [...this.#pools.values(), ...(this.#admin ? [this.#admin] : [])];
    this.#pools.clear();
    this.#admin = undefined;
    await Promise.allSettled(pools.map((p) => p.end()));
  }

  /** Synchronous last resort for `process.on('exit')`: SIGKILL whatever still runs. */
  killAllNow(): void {
    for (const running of this.#running.values()) {
      if (running.exitStatus() === null) running.child?.kill('SIGKILL');
    }
  }

  async #freshen(service: ServiceName): Promise<void> {
    const name = this.#profile.databases[service];
    if (this.#freshDatabases.has(name)) return;
    await this.#pools.get(name)?.end();
    this.#pools.delete(name);
    if (!this.#topicsReset) {
      // Deletes the stack's topics too: no service of this run has created them yet.
      await resetStackData(this.#profile, [service]);
      this.#topicsReset = true;
    } else {
      await recreateDatabases([name]);
    }
    this.#freshDatabases.add(name);
  }

  #spawn(service: ServiceName): RunningService {
    const running = startService(this.#profile, service, {
      nodeFlags: this.#nodeFlags[service],
      appendLog: true,
    });
    this.#running.set(service, running);
    return running;
  }

  async #kill(service: ServiceName): Promise<void> {
    const running = this.#running.get(service);
    this.#running.delete(service);
    await running?.stop('SIGTERM', 10_000);
  }
}

/** `BENCH_NODE_FLAGS_FRIENDS="--cpu-prof --cpu-prof-dir=.infra/prof"` and the like. */
function flagsFromEnv(): Partial<Record<ServiceName, string[]>> {
  return Object.fromEntries(
    Object.keys(PORTS).map((s) => [
      s,
      (process.env[`BENCH_NODE_FLAGS_${s.toUpperCase()}`] ?? '').split(/\s+/).filter(Boolean),
    ]),
  );
}
