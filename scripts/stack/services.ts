// Starting, waiting for and stopping the built services of a stack (./profiles.ts): one
// process each, from `<buildDir>/apps/<svc>/src/main.js`, with the profile's environment,
// output in `<logDir>/<svc>.log`. `npm run up` starts them detached with pid files (they
// outlive the command, `npm run down` stops them); the test suites and the benchmarks as
// children they stop themselves.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  type ExitStatus,
  INFRA_DIR,
  REPO_ROOT,
  type Logger,
  WaitAbortedError,
  createLogger,
  errorCode,
  runningPidFromFile,
  sleep,
  spawnDetached,
  stopByPidfile,
  type StopOutcome,
  tailFile,
  waitFor,
} from '../infra/lib';
import { recreateDatabases } from '../infra/postgres';
import { deleteTopicsWithPrefix, kafkaBrokers } from '../infra/kafka';
import { type ServiceEnv, type ServiceName, START_ORDER, type StackProfile } from './profiles';

/** Where a service of a stack runs from and writes to. */
export function servicePaths(profile: StackProfile, service: ServiceName, name: string = service) {
  return {
    entry: path.join(profile.buildDir, 'apps', service, 'src', 'main.js'),
    logFile: path.join(profile.logDir, `${name}.log`),
    pidFile: path.join(profile.logDir, `${name}.pid`),
  };
}

/** Extra variables on top of a service's environment; `undefined` removes one. */
export type EnvOverrides<S extends ServiceName = ServiceName> = {
  [K in keyof ServiceEnv<S>]?: string | undefined;
};

/**
 * The whole environment of a service process: the profile's parent environment (all of
 * this process's but the scrubbed names, or only PATH), the profile's environment for the
 * service, then `overrides`.
 */
export function processEnv<S extends ServiceName>(
  profile: StackProfile,
  service: S,
  overrides: EnvOverrides<S> = {},
): NodeJS.ProcessEnv {
  const own: Record<string, string | undefined> = { ...profile.env(service), ...overrides };
  const env: NodeJS.ProcessEnv =
    profile.parentEnv.mode === 'clean' ? { PATH: process.env.PATH } : { ...process.env };
  if (profile.parentEnv.mode === 'inherit') {
    for (const name of profile.parentEnv.scrub) if (!(name in own)) delete env[name];
  }
  for (const [name, value] of Object.entries(own)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** A service process started by {@link startService}. */
export interface RunningService {
  service: ServiceName;
  /** Its name in logs and files: the service's, or that of a second instance. */
  name: string;
  pid: number;
  /** The child process, when this process started it (not after a restart of `up`). */
  child?: ChildProcess;
  logFile: string;
  /** How it ended, once it has (null while it runs). */
  exitStatus(): ExitStatus | null;
  /** `signal` (SIGTERM: graceful shutdown) and wait; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface StartOptions<S extends ServiceName = ServiceName> {
  /** Outlive this process: own process group, pid file (`npm run up`). */
  detached?: boolean;
  /** Names a second instance of a service: its log file. */
  name?: string;
  /** On top of the profile's environment for the service. */
  env?: EnvOverrides<S>;
  /** `node` flags before the entry point, e.g. `--cpu-prof`. */
  nodeFlags?: readonly string[];
  /** Append to the log file instead of starting it afresh. */
  appendLog?: boolean;
}

/** Starts one service of `profile` from its build (readiness: {@link waitReady}). */
export function startService<S extends ServiceName>(
  profile: StackProfile,
  service: S,
  options: StartOptions<S> = {},
): RunningService {
  const name = options.name ?? service;
  const { entry, logFile, pidFile } = servicePaths(profile, service, name);
  if (!fs.existsSync(entry)) {
    throw new Error(`${path.relative(REPO_ROOT, entry)} is missing: build the services first`);
  }
  const env = processEnv(profile, service, options.env);
  const args = [...(options.nodeFlags ?? []), entry];
  if (options.detached) {
    const started = spawnDetached({ command: process.execPath, args, env, logFile, pidFile });
    return {
      service,
      name,
      pid: started.pid,
      logFile,
      exitStatus: started.exitStatus,
      stop: async (_signal, graceMs = 15_000) => {
        await stopByPidfile(pidFile, { match: entry, graceMs });
      },
    };
  }
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, options.appendLog ? 'a' : 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', out, out] });
  } finally {
    // The child holds its own copy of the descriptor.
    fs.closeSync(out);
  }
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  return {
    service,
    name,
    pid: child.pid,
    child,
    logFile,
    exitStatus: () =>
      child.exitCode !== null || child.signalCode !== null
        ? { code: child.exitCode, signal: child.signalCode }
        : null,
    stop: (signal = 'SIGTERM', graceMs = 15_000) => stopChild(child, signal, graceMs),
  };
}

/** Sends `signal` to a child and waits for its exit; SIGKILL after `graceMs`. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 15_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill(signal);
  await exited;
  clearTimeout(killer);
}

/**
 * Resolves once `GET <http>/health/ready` answers 200. Fails at once when the process
 * exits, and after `timeoutMs`, with the last lines of its log.
 */
export async function waitReady(
  running: Pick<RunningService, 'name' | 'exitStatus' | 'logFile'>,
  httpPort: number,
  { timeoutMs = 90_000, log = createLogger('stack') }: { timeoutMs?: number; log?: Logger } = {},
): Promise<void> {
  const url = `http://127.0.0.1:${httpPort}/health/ready`;
  try {
    await waitFor(
      async () => {
        const exit = running.exitStatus();
        if (exit) {
          throw new WaitAbortedError(
            `${running.name} exited (${exit.signal ?? `exit code ${exit.code}`})`,
          );
        }
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(
          () => undefined,
        );
        return response?.ok === true;
      },
      { timeoutMs, intervalMs: 250, label: `${running.name} ready`, log },
    );
  } catch (error) {
    const tail = tailFile(running.logFile, 40) || '(nothing logged)';
    throw new Error(
      `${running.name} did not become ready: ${error instanceof Error ? error.message : String(error)}. ` +
        `Last lines of ${path.relative(REPO_ROOT, running.logFile)}:\n${tail}`,
      { cause: error },
    );
  }
}

/**
 * Starts `services` of `profile` in {@link START_ORDER}, one after another, each once the
 * one before is ready. `onReady` hears of each.
 */
export async function startServices(
  profile: StackProfile,
  services: readonly ServiceName[] = START_ORDER,
  {
    detached = false,
    onReady,
    log,
  }: {
    detached?: boolean;
    onReady?: (running: RunningService, ms: number) => void;
    log?: Logger;
  } = {},
): Promise<RunningService[]> {
  const started: RunningService[] = [];
  for (const service of START_ORDER.filter((s) => services.includes(s))) {
    const begun = Date.now();
    const running = startService(profile, service, { detached });
    started.push(running);
    await waitReady(running, profile.ports[service].http, { log });
    onReady?.(running, Date.now() - begun);
  }
  return started;
}

/**
 * Services report ready before their consumer has joined its group (a rejoin can wait for
 * a departed member's session to expire). Resolves once every group in `groupIds` is
 * stable with members, so events published now are consumed without a rebalance delay.
 */
export async function waitForConsumerGroups(
  groupIds: readonly string[],
  { brokers = kafkaBrokers(), timeoutMs = 90_000 }: { brokers?: string[]; timeoutMs?: number } = {},
): Promise<void> {
  if (groupIds.length === 0) return;
  const admin = new Kafka({
    clientId: 'stack-orchestrator',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { groups } = await admin.describeGroups([...groupIds]);
      const waiting = groups.filter((g) => g.state !== 'Stable' || g.members.length === 0);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `consumer groups not stable: ${waiting.map((g) => `${g.groupId}=${g.state}`).join(', ')}`,
        );
      }
      await sleep(300);
    }
  } finally {
    await admin.disconnect();
  }
}

/** The consumer groups of `services` in `profile`. */
export const groupsOf = (profile: StackProfile, services: readonly ServiceName[] = START_ORDER) =>
  services.flatMap((s) => (profile.groups[s] ? [profile.groups[s]] : []));

/**
 * Makes a disposable stack's data fresh before its services start: its databases dropped
 * and created empty (every run starts from the migrations), and its prefixed topics
 * deleted (the services create them empty). A run then reads only its own events: a
 * consumer group new to the broker (a second instance a spec starts) reads its topics
 * from the beginning, and must not replay an earlier run's events into the fresh
 * databases. Refuses a profile whose data is not disposable.
 */
export async function resetStackData(
  profile: StackProfile,
  services: readonly ServiceName[] = START_ORDER,
): Promise<{ topics: string[] }> {
  if (!profile.fresh || !profile.topicPrefix) {
    throw new Error(`the ${profile.name} stack's data is not disposable`);
  }
  await recreateDatabases(services.map((s) => profile.databases[s]));
  return { topics: await deleteTopicsWithPrefix(profile.topicPrefix) };
}

/**
 * Builds the services, the web client and the GraphQL IDE into `buildDir`
 * (scripts/build.ts with BUILD_OUT_DIR); throws when the build fails.
 */
export function buildInto(buildDir: string): void {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'build.ts')],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: { ...process.env, BUILD_OUT_DIR: path.relative(REPO_ROOT, buildDir) || '.' },
    },
  );
  if (result.status !== 0) {
    throw new Error(`the build into ${path.relative(REPO_ROOT, buildDir)} failed`);
  }
}

// ---------------------------------------------------------------------------------------
// The development stack's detached processes
// ---------------------------------------------------------------------------------------

/** The pid of a detached service of `profile` still running, else null. */
export function runningDetached(profile: StackProfile, service: ServiceName): number | null {
  const { entry, pidFile } = servicePaths(profile, service);
  return runningPidFromFile(pidFile, entry);
}

/** Stops a detached service of `profile` by its pid file. */
export function stopDetached(
  profile: StackProfile,
  service: ServiceName,
  graceMs = 15_000,
): Promise<StopOutcome> {
  const { entry, pidFile } = servicePaths(profile, service);
  return stopByPidfile(pidFile, { match: entry, graceMs });
}

/** Where `npm run up` keeps the local service credential (git-ignored, owner-only). */
export const INTERNAL_API_TOKEN_FILE = path.join(INFRA_DIR, 'internal-api-token');

/**
 * The service credential every local service gets as `INTERNAL_API_TOKEN` (ADR 0015):
 * the caller's own when set, else the one generated on the first `npm run up` — kept, so
 * services started later and scripts reading the file agree with those already running.
 * Without it the internal gRPC methods would refuse every call, registration included.
 */
export function localInternalApiToken(): string {
  if (process.env.INTERNAL_API_TOKEN) return process.env.INTERNAL_API_TOKEN;
  try {
    const saved = fs.readFileSync(INTERNAL_API_TOKEN_FILE, 'utf8').trim();
    if (saved.length >= 32) return saved;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
  // 32 random bytes: 43 URL-safe characters, safe in a header and a shell variable.
  const token = randomBytes(32).toString('base64url');
  fs.mkdirSync(INFRA_DIR, { recursive: true });
  fs.writeFileSync(INTERNAL_API_TOKEN_FILE, `${token}\n`, { mode: 0o600 });
  return token;
}
