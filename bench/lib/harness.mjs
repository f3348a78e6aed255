// The benchmark harness: what a case module looks like and how one is run.
//
// A case is a module `bench/cases/<id>.mjs` whose default export is:
//
//   export default {
//     id: 'B', title: 'ValidateToken over the Nest gRPC transport',
//     budgetMs: 120_000,            // the whole case (setup, rounds, teardown) must fit
//     rounds: 5,                    // measured rounds per side, ≥ 5
//     metrics: {                    // the figures `run` returns, in print order
//       callsPerSec: { unit: 'calls/s', better: 'higher' },
//       p99Ms: { unit: 'ms', better: 'lower' },
//     },
//     targets: [{ metric: 'callsPerSec', ratio: { min: 0.9 } }],   // see stats.mjs `Target`
//     checks: [{ metric: 'lost', equals: 0 }],                     // optional hard checks
//     async setup(ctx) { return state },       // start product + baseline, seed data
//     async run(state, side, ctx) { return { callsPerSec, p99Ms } }, // one round of one side
//     async teardown(state, ctx) {},
//   };
//
// The harness runs one warm-up round per side (discarded), then `rounds` pairs, alternating
// which side goes first, so drift of the machine (thermal, page cache, a neighbour) does
// not always favour the same side. Each pair yields a ratio product ÷ baseline per metric;
// the summary is the median ratio with its min–max. Metrics a case returns beyond
// `metrics` (cpuSecPerOp, lost, …) are printed and stored too.

import { readFileSync } from 'node:fs';
import { evaluateCheck, evaluateTarget, percentile, summarizeRounds } from './stats.mjs';

/** Fewest measured rounds per side the issue allows. */
export const MIN_ROUNDS = 5;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux port). */
const CLOCK_TICKS = 100;

/** Thrown inside a case when its budget ran out. */
export class BudgetExceededError extends Error {}

/**
 * Formats a figure for progress lines and the summary: thousands separators for big
 * numbers, a few significant digits for small ones.
 * @param {number | undefined} value
 */
export function formatNumber(value) {
  if (typeof value !== 'number' || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(3);
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 for a
 * process that is gone.
 * @param {number} pid
 */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * Starts a CPU measurement of some processes. Call the returned function to get the CPU
 * seconds they used since this call (it may be called more than once).
 * @param {number | readonly number[]} pids
 * @returns {() => number}
 */
export function measureCpu(pids) {
  const list = (Array.isArray(pids) ? pids : [pids]).filter((p) => Number.isInteger(p));
  const start = list.map(cpuSecondsOf);
  return () => list.reduce((sum, pid, i) => sum + Math.max(0, cpuSecondsOf(pid) - start[i]), 0);
}

/**
 * @typedef {object} CaseContext
 * What every case function receives.
 * @property {(msg: string) => void} log         a progress line prefixed with the case id
 * @property {import('./stack.mjs').BenchStack} stack  the product services (started lazily)
 * @property {number} deadline                   epoch ms by which the case must be done
 * @property {() => number} remainingMs
 * @property {AbortSignal} signal                aborted when the budget runs out
 * @property {typeof measureCpu} measureCpu
 * @property {typeof percentile} percentile
 * @property {(cleanup: () => unknown) => void} defer  runs after teardown, even when setup
 *   failed half-way (close a server, end a pool); latest first
 */

/**
 * Builds the context of one case.
 * @param {{ id: string, stack: import('./stack.mjs').BenchStack, budgetMs: number, signal: AbortSignal, print?: (line: string) => void }} options
 * @returns {CaseContext}
 */
export function createContext({ id, stack, budgetMs, signal, print = defaultPrint }) {
  const deadline = Date.now() + budgetMs;
  /** @type {(() => unknown)[]} */
  const cleanups = [];
  return {
    defer: (cleanup) => cleanups.push(cleanup),
    cleanups,
    log: (msg) => print(`[${id}] ${msg}`),
    stack,
    deadline,
    remainingMs: () => deadline - Date.now(),
    signal,
    measureCpu,
    percentile,
  };
}

function defaultPrint(line) {
  process.stdout.write(`${line}\n`);
}

/**
 * One progress line: every declared metric of a round, with its unit, then extras.
 * @param {Record<string, { unit?: string }>} metrics
 * @param {Record<string, number>} values
 */
export function describeRound(metrics, values) {
  const declared = Object.entries(metrics).map(
    ([name, { unit = '' }]) => `${name} ${formatNumber(values[name])}${unit ? ` ${unit}` : ''}`,
  );
  const extras = Object.keys(values)
    .filter((name) => !(name in metrics))
    .map((name) => `${name} ${formatNumber(values[name])}`);
  return [...declared, ...extras].join(', ');
}

/**
 * @typedef {object} CaseResult
 * @property {string} id
 * @property {string} title
 * @property {'done' | 'error'} status
 * @property {string} [error]
 * @property {number} durationMs
 * @property {{ side: string, round: number, warmup: boolean, values: Record<string, number> }[]} samples
 * @property {import('./stats.mjs').MetricSummary[]} summary
 * @property {import('./stats.mjs').TargetResult[]} targets
 * @property {ReturnType<typeof evaluateCheck>[]} checks
 * @property {Record<string, { unit?: string, better?: string }>} metrics
 */

/**
 * Runs one case within its budget: setup, a warm-up round per side, `rounds` alternating
 * pairs, teardown (always attempted). A case that throws or overruns its budget ends as
 * `status: 'error'` with whatever rounds it completed; the caller carries on.
 * @param {object} def        the case module's default export
 * @param {{ stack: import('./stack.mjs').BenchStack, print?: (line: string) => void }} options
 * @returns {Promise<CaseResult>}
 */
export async function runCase(def, { stack, print = defaultPrint }) {
  const started = Date.now();
  const rounds = Math.max(MIN_ROUNDS, def.rounds ?? MIN_ROUNDS);
  const budgetMs = def.budgetMs ?? 120_000;
  const controller = new AbortController();
  const ctx = createContext({ id: def.id, stack, budgetMs, signal: controller.signal, print });
  /** @type {CaseResult} */
  const result = {
    id: def.id,
    title: def.title,
    status: 'done',
    durationMs: 0,
    samples: [],
    summary: [],
    targets: [],
    checks: [],
    metrics: def.metrics ?? {},
  };
  /** @type {import('./stats.mjs').RoundPair[]} */
  const pairs = [];
  let state;
  let timer;
  const overrun = new Promise((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new BudgetExceededError(`budget of ${Math.round(budgetMs / 1000)} s exceeded`));
    }, budgetMs);
  });
  overrun.catch(() => {});

  const measure = async (side, round, warmup) => {
    const label = warmup ? 'warm-up' : `round ${round}/${rounds}`;
    const values = await def.run(state, side, ctx);
    result.samples.push({ side, round, warmup, values });
    ctx.log(`${label} ${side}: ${describeRound(result.metrics, values)}`);
    return values;
  };

  const body = async () => {
    ctx.log(`${def.title} — setting up`);
    state = await def.setup(ctx);
    await measure('product', 0, true);
    await measure('baseline', 0, true);
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 === 1 ? ['product', 'baseline'] : ['baseline', 'product'];
      const pair = /** @type {import('./stats.mjs').RoundPair} */ ({});
      for (const side of order) pair[side] = await measure(side, round, false);
      pairs.push(pair);
    }
  };

  try {
    await Promise.race([body(), overrun]);
  } catch (error) {
    result.status = 'error';
    result.error = error instanceof Error ? error.message : String(error);
    ctx.log(`error: ${result.error}`);
    if (error instanceof Error && error.stack && !(error instanceof BudgetExceededError)) {
      print(error.stack.split('\n').slice(1, 6).join('\n'));
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  if (state !== undefined && def.teardown) {
    // Teardown gets its own short allowance, so a hung case still frees its ports.
    try {
      await Promise.race([
        def.teardown(state, ctx),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('teardown took over 30 s')), 30_000).unref(),
        ),
      ]);
    } catch (error) {
      ctx.log(`teardown failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const cleanup of ctx.cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      ctx.log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  result.summary = summarizeRounds(pairs);
  result.targets = (def.targets ?? []).map((t) => evaluateTarget(t, pairs));
  result.checks = (def.checks ?? []).map((c) => evaluateCheck(c, pairs));
  result.durationMs = Date.now() - started;
  return result;
}
