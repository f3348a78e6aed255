// Baseline servers run in their own process, like the product services, so both sides
// compete for the same two cores the same way and their CPU time can be read apart.

import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../../scripts/infra/lib.mjs';

/** The line a baseline server prints on stdout once it listens. */
export const READY_LINE = 'BENCH_SERVER_READY';

/**
 * Starts `node <script>` with extra env, waits for its {@link READY_LINE} and registers
 * its stop with `ctx.defer`, so it dies with the case whatever happens.
 * @param {string} script  absolute path of the server module
 * @param {Record<string, string>} env
 * @param {import('./harness.mjs').CaseContext} ctx
 * @param {{ timeoutMs?: number }} [options]
 * @returns {Promise<{ pid: number, stop: () => Promise<void> }>}
 */
export async function startChildServer(script, env, ctx, { timeoutMs = 30_000 } = {}) {
  const child = spawn(process.execPath, [script], {
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
    const collect = (chunk) => {
      output += chunk;
      if (output.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve(undefined);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  // Keep draining, or a chatty server would block on a full pipe.
  child.stdout.resume();
  child.stderr.resume();
  return { pid: /** @type {number} */ (child.pid), stop };
}
