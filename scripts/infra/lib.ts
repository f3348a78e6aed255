// Shared helpers for the infrastructure scripts (PostgreSQL, Kafka, Redis, the gateway)
// and the stack orchestrator (scripts/stack). Node built-ins only. Everything that
// touches the disk lives under `<repo>/.infra/` (git-ignored), so deleting that folder
// resets all local state.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const INFRA_DIR = path.join(REPO_ROOT, '.infra');
const STATE_FILE = path.join(INFRA_DIR, 'state.json');

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/** The `code` of a Node or driver error (`ENOENT`, a SQLSTATE), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' ? code : undefined;
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------
// Logging
// ---------------------------------------------------------------------------------------

export interface Logger {
  prefix: string;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Prints a block (e.g. a log tail) with every line prefixed, so it stays attributable. */
  block(title: string, text: string): void;
}

/**
 * A logger whose lines start with `[infra]` (or `[infra:<scope>]`), so infrastructure
 * output is easy to tell apart from the services' own logs when `npm run up` interleaves them.
 */
export function createLogger(scope?: string): Logger {
  const prefix = scope ? `[infra:${scope}]` : '[infra]';
  return {
    prefix,
    info: (msg) => console.log(`${prefix} ${msg}`),
    warn: (msg) => console.warn(`${prefix} warning: ${msg}`),
    error: (msg) => console.error(`${prefix} error: ${msg}`),
    block: (title, text) => {
      console.error(`${prefix} ${title}`);
      for (const line of text.split('\n')) console.error(`${prefix} | ${line}`);
    },
  };
}

/** A logger that prints nothing: for waits inside a test, whose output is the test's. */
export const silentLogger: Logger = {
  prefix: '',
  info: () => {},
  warn: () => {},
  error: () => {},
  block: () => {},
};

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export interface Progress {
  elapsedMs(): number;
  /** Ends the ticker; `message` (if any) is printed on its own clean line. */
  stop(message?: string): void;
}

/**
 * Shows that a slow step is still alive. On a terminal one line is rewritten in place
 * every second; in CI logs (no TTY) carriage returns would be noise, so a fresh line is
 * printed every `everyMs` instead. `detail()` may add a short status such as a count.
 */
export function startProgress(
  log: Logger,
  label: string,
  { everyMs = 5000, detail }: { everyMs?: number; detail?: () => string } = {},
): Progress {
  const started = Date.now();
  const tty = Boolean(process.stdout.isTTY);
  const describe = () => {
    const extra = detail ? detail() : '';
    return `${label} … ${Math.floor((Date.now() - started) / 1000)}s${extra ? ` (${extra})` : ''}`;
  };
  const timer = setInterval(
    () => {
      if (tty) process.stdout.write(`\r${log.prefix} ${describe()}\x1b[K`);
      else log.info(describe());
    },
    tty ? 1000 : everyMs,
  );
  // A progress ticker must never be the thing that keeps the process alive.
  timer.unref();
  let stopped = false;
  return {
    elapsedMs: () => Date.now() - started,
    stop(message) {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty) process.stdout.write('\r\x1b[K');
      if (message) log.info(message);
    },
  };
}

// ---------------------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------------------

/**
 * Thrown from inside a `waitFor` check when waiting longer is pointless (for example the
 * process we are waiting on has exited); `waitFor` rethrows it at once instead of retrying.
 */
export class WaitAbortedError extends Error {}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  label?: string;
  log?: Logger;
}

/**
 * Calls `fn` until it returns a truthy value, and resolves with that value.
 * A falsy result or a thrown error means "not yet"; the last error is reported on timeout.
 * Nothing is printed when the first attempt already succeeds, so the warm path stays quiet.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  {
    timeoutMs = 30_000,
    intervalMs = 500,
    label = 'condition',
    log = createLogger(),
  }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let progress: Progress | null = null;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await fn();
      if (value) {
        progress?.stop(`done waiting for ${label} (${formatDuration(progress.elapsedMs())})`);
        return value;
      }
    } catch (err) {
      if (err instanceof WaitAbortedError) {
        progress?.stop();
        throw err;
      }
      lastError = err;
    }
    if (Date.now() >= deadline) {
      progress?.stop();
      const why = lastError ? `: ${errorMessage(lastError)}` : '';
      throw new Error(`timed out after ${formatDuration(timeoutMs)} waiting for ${label}${why}`);
    }
    progress ??= startProgress(log, `waiting for ${label}`);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

// ---------------------------------------------------------------------------------------
// Network
// ---------------------------------------------------------------------------------------

/** Resolves true when something accepts a TCP connection on host:port within the timeout. */
export function probeTcp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Splits `host:port` (IPv6 in brackets allowed); the port falls back to `defaultPort`. */
export function parseHostPort(
  address: string,
  defaultPort: number,
): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(address.trim());
  if (!match || !match[1]) throw new Error(`not a host:port address: "${address}"`);
  return { host: match[1], port: match[2] ? Number(match[2]) : defaultPort };
}

/**
 * Only a server meant to run on this machine may be started by us; pointing a variable at
 * another host and silently getting a local server instead would hide a misconfiguration.
 */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host.startsWith('/');
}

// ---------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------

/** Absolute path of an executable found on PATH, or null. */
export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  error?: Error;
}

/**
 * Runs a short command to completion and captures its output. Used for tools whose output
 * only matters when they fail, so it is returned rather than streamed.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  {
    cwd = REPO_ROOT,
    env = process.env,
    timeoutMs = 120_000,
  }: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const done = (code: number, error?: Error) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, error });
    };
    // 'error' covers a missing executable; 'close' fires once all output has been read.
    child.once('error', (err) => done(-1, err));
    child.once('close', (code, signal) => done(code ?? (signal ? -1 : 0)));
  });
}

/** How a detached process ended, once it has. */
export interface ExitStatus {
  code: number | null;
  signal?: NodeJS.Signals | null;
  error?: Error;
}

/**
 * Starts a long-running server that outlives this script: its own process group (so a
 * Ctrl-C in the terminal that ran `up` does not reach it), output appended to `logFile`,
 * pid written to `pidFile`. Returns the pid and a way to ask whether it has already exited,
 * which lets a readiness wait fail fast instead of running into its timeout.
 */
export function spawnDetached({
  command,
  args,
  cwd = REPO_ROOT,
  env = process.env,
  logFile,
  pidFile,
}: {
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
  pidFile: string;
}): { pid: number; exitStatus: () => ExitStatus | null } {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.mkdirSync(path.dirname(pidFile), { recursive: true });
  const out = fs.openSync(logFile, 'a');
  let exit: ExitStatus | null = null;
  try {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', out, out] });
    child.once('error', (err) => (exit = { code: null, error: err }));
    child.once('exit', (code, signal) => (exit = { code, signal }));
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    fs.writeFileSync(pidFile, `${child.pid}\n`);
    return { pid: child.pid, exitStatus: () => exit };
  } finally {
    // The child holds its own copy of the descriptor.
    fs.closeSync(out);
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means "alive".
    return errorCode(err) === 'EPERM';
  }
}

/**
 * Guards against pid reuse: a pid file can outlive its process (reboot, crash), and the
 * number may since belong to something unrelated. Where /proc exists we check that the
 * command line still contains `match`; elsewhere we have to trust the pid.
 */
function processMatches(pid: number, match?: string): boolean {
  if (!match) return true;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(match);
  } catch (err) {
    return errorCode(err) !== 'ENOENT' || !fs.existsSync('/proc/self');
  }
}

export function readPidFile(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** The pid recorded in `pidFile` if that process is still running and still ours, else null. */
export function runningPidFromFile(pidFile: string, match?: string): number | null {
  const pid = readPidFile(pidFile);
  return pid !== null && isProcessAlive(pid) && processMatches(pid, match) ? pid : null;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // spawnDetached made the server a process-group leader; signalling the group also
  // reaches any helpers it forked. Fall back to the single pid if the group is gone.
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/**
 * Stops the process named by `pidFile`: SIGTERM first so servers can shut down cleanly
 * (Kafka flushes its logs), SIGKILL if it is still there after `graceMs`.
 * The pid file is removed in every case.
 */
export async function stopByPidfile(
  pidFile: string,
  { match, graceMs = 10_000 }: { match?: string; graceMs?: number } = {},
): Promise<StopOutcome> {
  const pid = runningPidFromFile(pidFile, match);
  let outcome: StopOutcome = 'not-running';
  if (pid !== null) {
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isProcessAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isProcessAlive(pid)) {
      signalGroup(pid, 'SIGKILL');
      while (isProcessAlive(pid)) await sleep(50);
      outcome = 'killed';
    } else {
      outcome = 'stopped';
    }
  }
  fs.rmSync(pidFile, { force: true });
  return outcome;
}

// ---------------------------------------------------------------------------------------
// Locking and the state file
// ---------------------------------------------------------------------------------------

/**
 * Serialises a critical section across processes (two terminals running `up`, or `npm test`
 * next to `npm run up`) with an exclusive-create lock file holding the owner's pid.
 * A lock whose owner has died is stale and is taken over.
 */
export async function withLock<T>(
  name: string,
  fn: () => Promise<T>,
  { timeoutMs = 10 * 60_000, log = createLogger() }: { timeoutMs?: number; log?: Logger } = {},
): Promise<T> {
  fs.mkdirSync(INFRA_DIR, { recursive: true });
  const lockFile = path.join(INFRA_DIR, `${name}.lock`);
  const tryAcquire = (): boolean => {
    try {
      fs.writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      const owner = readPidFile(lockFile);
      if (owner === null || !isProcessAlive(owner)) {
        fs.rmSync(lockFile, { force: true });
        return tryAcquire();
      }
      return false;
    }
  };
  await waitFor(tryAcquire, {
    timeoutMs,
    intervalMs: 250,
    label: `another infra script (pid ${readPidFile(lockFile)}) to release ${path.relative(REPO_ROOT, lockFile)}`,
    log,
  });
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** What the infrastructure scripts started, per component (see {@link readState}). */
export interface StartedEntry {
  kind: 'process' | 'docker-compose' | 'pg_ctlcluster';
  startedAt?: string;
  /** `process`: its pid file (relative to the repository), a command-line match, its pid. */
  pidFile?: string;
  match?: string;
  pid?: number;
  /** The Kafka broker's `host:port`. */
  address?: string;
  /** `docker-compose`: the compose file (relative) and service. */
  composeFile?: string;
  service?: string;
  /** `pg_ctlcluster`: the cluster started. */
  version?: string;
  cluster?: string;
}

export interface InfraState {
  started: Partial<Record<string, StartedEntry>>;
}

/**
 * `.infra/state.json` lists exactly what these scripts started, so `down` stops only that
 * and never a PostgreSQL, Redis or broker that was already running on the machine.
 */
export function readState(): InfraState {
  try {
    const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as Partial<InfraState>;
    return { ...state, started: state.started ?? {} };
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return { started: {} };
    throw new Error(`cannot read ${path.relative(REPO_ROOT, STATE_FILE)}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

async function updateState(mutate: (state: InfraState) => void): Promise<void> {
  await withLock('state', () => {
    const state = readState();
    mutate(state);
    // Write-then-rename: a reader never sees a half-written file.
    const tmp = `${STATE_FILE}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
    fs.renameSync(tmp, STATE_FILE);
    return Promise.resolve();
  });
}

export function recordStarted(component: string, entry: StartedEntry): Promise<void> {
  return updateState((state) => {
    state.started[component] = { ...entry, startedAt: new Date().toISOString() };
  });
}

export function forgetStarted(component: string): Promise<void> {
  return updateState((state) => {
    delete state.started[component];
  });
}

/** Says, for a server found already running, whether an earlier `up` started it. */
export function reuseNote(component: string): string {
  const entry = readState().started[component];
  if (!entry) return 'already running (not started by these scripts)';
  return `started earlier by infra:up (${entry.pid ? `pid ${entry.pid}` : entry.kind})`;
}

// ---------------------------------------------------------------------------------------
// Misc
// ---------------------------------------------------------------------------------------

/** The last `lines` lines of a text file written after byte `fromByte` ('' when none). */
export function tailFile(file: string, lines = 40, fromByte = 0): string {
  try {
    const content = fs.readFileSync(file);
    // A file smaller than the mark was rotated or truncated since: show all of it.
    const start = fromByte <= content.length ? fromByte : 0;
    return content.subarray(start).toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** The current size of a file (0 when missing): a mark for `tailFile` to start from. */
export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Runs a CLI entry point: prints a failure as one clear line and sets the exit code. */
export function runCli(main: () => Promise<unknown>): void {
  const log = createLogger();
  main().then(
    () => {
      process.exitCode ??= 0;
    },
    (err: unknown) => {
      log.error(errorMessage(err));
      if (process.env.INFRA_DEBUG && err instanceof Error) console.error(err.stack);
      process.exitCode = 1;
    },
  );
}
