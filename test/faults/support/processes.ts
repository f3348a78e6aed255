/**
 * Book-keeping of every process the fault suite starts (broker, services): each is
 * tracked in memory and by a pid file, so it is stopped by the suite's `afterAll`, by an
 * exit handler if Jest goes away early, and — if even that did not run — by the next run.
 */
import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR, FAULTS_DIR, LOG_DIR, PID_DIR } from './layout';

const live = new Map<string, ChildProcess>();

/** Command line of a running process, or undefined when there is none. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** True while `pid` runs a command of this suite (its build, or its broker's config). */
function isOurs(pid: number): boolean {
  const cmd = commandLine(pid);
  return cmd !== undefined && (cmd.includes(BUILD_DIR) || cmd.includes(FAULTS_DIR));
}

/**
 * Starts `command` as process `name` (unique while it runs), stdout and stderr appended
 * to `.infra/faults/logs/<name>.log`.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): ChildProcess {
  if (live.has(name)) throw new Error(`process ${name} is already running`);
  mkdirSync(LOG_DIR, { recursive: true });
  mkdirSync(PID_DIR, { recursive: true });
  const log = createWriteStream(join(LOG_DIR, `${name}.log`), { flags: 'a' });
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  live.set(name, child);
  const pidFile = join(PID_DIR, `${name}.pid`);
  writeFileSync(pidFile, String(child.pid));
  child.once('exit', () => {
    if (live.get(name) === child) live.delete(name);
    rmSync(pidFile, { force: true });
  });
  return child;
}

/** Resolves when `child` has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` and waits for the exit; SIGKILL after `graceMs` if it is still running. */
export async function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 15_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  child.kill(signal);
  await exited(child);
  clearTimeout(killer);
}

/**
 * Stops process `name` of this suite, whichever test file (or the global setup) started
 * it: `signal`, then SIGKILL after `graceMs`.
 */
export async function stopNamed(
  name: string,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 15_000,
): Promise<void> {
  const child = live.get(name);
  if (child) return stopProcess(child, signal, graceMs);
  let pid: number;
  try {
    pid = Number(readFileSync(join(PID_DIR, `${name}.pid`), 'utf8'));
  } catch {
    return;
  }
  if (!isOurs(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (isOurs(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isOurs(pid)) process.kill(pid, 'SIGKILL');
  while (isOurs(pid)) await new Promise((r) => setTimeout(r, 100));
  rmSync(join(PID_DIR, `${name}.pid`), { force: true });
}

/** Pids of the pid files of this suite's processes that still run. */
function leftoverPids(): number[] {
  let files: string[];
  try {
    files = readdirSync(PID_DIR);
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const file of files) {
    const pid = Number(readFileSync(join(PID_DIR, file), 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && isOurs(pid)) pids.push(pid);
    else rmSync(join(PID_DIR, file), { force: true });
  }
  return pids;
}

/**
 * Kills, synchronously, every process of this suite that still runs, whichever test
 * file started it. The global setup installs it as the Jest process's exit handler.
 */
export function killLeftoversSync(): void {
  for (const pid of leftoverPids()) process.kill(pid, 'SIGKILL');
}

/**
 * Stops whatever this suite started that still runs, in this run or an interrupted one:
 * SIGTERM (a broker flushes its log), SIGKILL after ten seconds.
 */
export async function stopAll(): Promise<void> {
  await Promise.all([...live.values()].map((child) => stopProcess(child)));
  const pids = leftoverPids();
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (pids.some(isOurs) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids.filter(isOurs)) process.kill(pid, 'SIGKILL');
  while (pids.some(isOurs)) await new Promise((r) => setTimeout(r, 100));
  rmSync(PID_DIR, { recursive: true, force: true });
}
