// Memory of a server process after a full garbage collection, on request, for the
// memory-per-socket benchmark (F). The same probe goes into both sides:
//
// - into the product (messenger) as a preload: `node --import=<this file>` with
//   `BENCH_MEMORY_PROBE_DIR` set — no product code knows about it;
// - into the bare baseline server, which imports it.
//
// Loaded with `BENCH_MEMORY_PROBE_DIR` set, the process answers SIGWINCH (a signal Nest's
// shutdown hooks leave alone, unlike SIGUSR2, and ignored by default) by collecting
// garbage (twice: the first pass may only queue finalizers) and writing
// `process.memoryUsage()` to `<dir>/<pid>.json`. The parent side is {@link sampleMemory}.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const dir = process.env.BENCH_MEMORY_PROBE_DIR;
if (dir) {
  // `--expose-gc` after start-up: the flag makes new contexts carry `gc`.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  process.on('SIGWINCH', () => {
    gc();
    gc();
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
  });
}

/**
 * @typedef {object} MemorySample
 * @property {number} rss           resident set size, bytes
 * @property {number} heapUsed      V8 heap in use after GC, bytes
 * @property {number} external      memory of C++ objects bound to JS objects (buffers…), bytes
 * @property {number} arrayBuffers
 */

/**
 * Asks a process that loaded this probe for its memory after a full GC.
 * @param {number} pid
 * @param {string} probeDir   the `BENCH_MEMORY_PROBE_DIR` the process was started with
 * @param {number} [timeoutMs]
 * @returns {Promise<MemorySample>}
 */
export async function sampleMemory(pid, probeDir, timeoutMs = 10_000) {
  const file = join(probeDir, `${pid}.json`);
  const asked = Date.now();
  process.kill(pid, 'SIGWINCH');
  const deadline = asked + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      const sample = JSON.parse(readFileSync(file, 'utf8'));
      if (sample.at >= asked) return sample;
    } catch {
      // not written yet, or half-written
    }
  }
  throw new Error(`process ${pid} did not answer the memory probe within ${timeoutMs} ms`);
}
