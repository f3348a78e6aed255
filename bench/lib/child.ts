// Baseline servers run in their own process, like the product services, so both sides
// compete for the same two cores the same way and their CPU time can be read apart.

import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../scripts/infra/lib';
import type { CaseContext } from './harness';

/**
 * `node` flags that let a child process run a TypeScript entry of the bench (a baseline
 * server, a load-generator worker) the way the runner runs: under tsx's loader. The
 * loader compiles each module once as it is loaded; the figures are taken long after.
 */
export const TS_NODE_FLAGS: readonly string[] = [
  '--import',
  pathToFileURL(require.resolve('tsx')).href,
];

/** The line a baseline server prints on stdout once it listens. */
export const READY_LINE = 'BENCH_SERVER_READY';

/**
 * Starts `node <script>` (a TypeScript module, under tsx) with extra env, waits for its
 * {@link READY_LINE} and registers its stop with `ctx.defer`, so it dies with the case
 * whatever happens.
 * @param script  absolute path of the server module
 */
export async function startChildServer(
  script: string,
  env: Record<string, string>,
  ctx: CaseContext,
  { timeoutMs = 30_000 }: { timeoutMs?: number } = {},
): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...TS_NODE_FLAGS, script], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  ctx.defer(stop);
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready:\n${output}`)), timeoutMs);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve(undefined);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  // Keep draining, or a chatty server would block on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  return { pid: child.pid as number, stop };
}
