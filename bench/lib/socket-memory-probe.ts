// Memory of a server process after a full garbage collection, on request, for the
// memory-per-socket benchmark (F). The same probe goes into both sides:
//
// - into the product (messenger) as a preload: `node --import=<file>` with
//   `BENCH_MEMORY_PROBE_DIR` set — no product code knows about it. The product runs plain
//   JavaScript without tsx, so what it preloads is this module as JavaScript:
//   {@link probePreload} writes it next to the samples;
// - into the bare baseline server, which imports it.
//
// Loaded with `BENCH_MEMORY_PROBE_DIR` set, the process answers SIGWINCH (a signal Nest's
// shutdown hooks leave alone, unlike SIGUSR2, and ignored by default) by collecting
// garbage (twice: the first pass may only queue finalizers) and writing
// `process.memoryUsage()` to `<dir>/<pid>.json`. The parent side is {@link sampleMemory}.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const dir = process.env.BENCH_MEMORY_PROBE_DIR;
if (dir) {
  // `--expose-gc` after start-up: the flag makes new contexts carry `gc`.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  process.on('SIGWINCH', () => {
    gc();
    gc();
    const file = join(dir, `${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
  });
}

export interface MemorySample {
  /** resident set size, bytes */
  rss: number;
  /** V8 heap in use after GC, bytes */
  heapUsed: number;
  /** memory of C++ objects bound to JS objects (buffers…), bytes */
  external: number;
  arrayBuffers: number;
}

/**
 * Asks a process that loaded this probe for its memory after a full GC.
 * @param probeDir   the `BENCH_MEMORY_PROBE_DIR` the process was started with
 */
export async function sampleMemory(
  pid: number,
  probeDir: string,
  timeoutMs = 10_000,
): Promise<MemorySample> {
  const file = join(probeDir, `${pid}.json`);
  const asked = Date.now();
  process.kill(pid, 'SIGWINCH');
  const deadline = asked + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    try {
      const sample = JSON.parse(readFileSync(file, 'utf8')) as MemorySample & { at: number };
      if (sample.at >= asked) return sample;
    } catch {
      // not written yet, or half-written
    }
  }
  throw new Error(`process ${pid} did not answer the memory probe within ${timeoutMs} ms`);
}

/**
 * This module as JavaScript, written into `dir` (ES module: only Node built-ins, types
 * stripped by the TypeScript compiler): what the product preloads with
 * `node --import=<the returned URL>`, so that the product process carries the probe and
 * nothing else — no TypeScript loader.
 */
export async function probePreload(dir: string): Promise<string> {
  const ts = await import('typescript');
  const source = readFileSync(join(__dirname, 'socket-memory-probe.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
  });
  const file = join(dir, 'socket-memory-probe.mjs');
  writeFileSync(file, outputText);
  return pathToFileURL(file).href;
}
