// The benchmark harness: what a case module looks like and how one is run.
//
// A case is a module `bench/cases/<id>.ts` whose default export is a `CaseDefinition`:
//
//   export default defineCase({
//     id: 'B', title: 'ValidateToken over the Nest gRPC transport',
//     budgetMs: 120_000,            // the whole case (setup, rounds, teardown) must fit
//     rounds: 5,                    // measured rounds per side, ≥ 5
//     metrics: {                    // the figures `run` returns, in print order
//       callsPerSec: { unit: 'calls/s', better: 'higher' },
//       p99Ms: { unit: 'ms', better: 'lower' },
//     },
//     targets: [{ metric: 'callsPerSec', ratio: { min: 0.9 } }],   // see stats.ts `Target`
//     checks: [{ metric: 'lost', equals: 0 }],                     // optional hard checks
//     sides: ['product', 'baseline', 'relay'], // optional: further reference sides
//     async setup(ctx) { return state },       // start product + baseline, seed data
//     async run(state, side, ctx, { round, rounds, warmup }) { return { callsPerSec, p99Ms } },
//                                              // one round of one side (round 0: warm-up)
//     scale(state, factor) {},                 // optional: do `factor` (< 1) of the work
//     async teardown(state, ctx) {},
//   });
//
// The harness runs one warm-up round per side (discarded), then `rounds` rounds of every
// side, rotating which side goes first, so drift of the machine (thermal, page cache, a
// neighbour) does not always favour the same side. Each round yields a ratio product ÷
// baseline per metric (and product ÷ each further side); the summary is the median ratio
// with its min–max. Metrics a case returns beyond `metrics` (cpuSecPerOp, lost, …) are
// printed and stored too.
//
// Every round also records the load generator's CPU: the runner process (autocannon, gRPC
// and HTTP clients run in it) plus the processes a case registers with
// `ctx.addLoadGenerator(pids)`, as `loadGenCpuPct` (share of the whole machine),
// `loadGenMaxCorePct` (its busiest process, share of one core), `machineBusyPct` and
// `loadGenSaturated` (1 when it saturated the machine: see stats.ts), marked on the
// progress line.
//
// A slow machine must not overrun a budget: when the last round (the warm-ups first) shows
// that the rounds left would not fit in what is left of it, a case with `scale` is told to
// do less work per round (fewer sockets, shorter phases) — the work is scaled, not the
// patience.

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BenchStack } from './stack';
import {
  type Check,
  type CheckResult,
  evaluateCheck,
  evaluateTarget,
  loadGeneratorSaturated,
  type MetricSummary,
  percentile,
  type RoundPair,
  summarizeRounds,
  type Target,
  type TargetResult,
} from './stats';

/** Fewest measured rounds per side the issue allows. */
export const MIN_ROUNDS = 5;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux port). */
const CLOCK_TICKS = 100;

/** Thrown inside a case when its budget ran out. */
export class BudgetExceededError extends Error {}

/**
 * Formats a figure for progress lines and the summary: thousands separators for big
 * numbers, a few significant digits for small ones.
 */
export function formatNumber(value: number | undefined): string {
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
 */
export function cpuSecondsOf(pid: number): number {
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
 */
export function measureCpu(pids: number | readonly number[]): () => number {
  const list = (typeof pids === 'number' ? [pids] : pids).filter((p) => Number.isInteger(p));
  const start = list.map(cpuSecondsOf);
  return () => list.reduce((sum, pid, i) => sum + Math.max(0, cpuSecondsOf(pid) - start[i]), 0);
}

/**
 * Busy and total CPU time of the whole machine so far (all cores, clock ticks), from the
 * first line of /proc/stat; idle and iowait count as not busy.
 */
export function machineTicks(): { busy: number; total: number } {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    const values = fields.map(Number);
    const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
    return { busy: total - values[3] - values[4], total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/**
 * Starts measuring the load generator (this process and `pids`) and the machine; the
 * returned function gives the figures since the start.
 */
export function measureLoadGenerator(pids: readonly number[]): () => LoadGeneratorFigures {
  const started = performance.now();
  const ownStart = process.cpuUsage();
  const others = pids.map((pid) => ({ pid, start: cpuSecondsOf(pid) }));
  const machineStart = machineTicks();
  const cores = os.cpus().length;
  return () => {
    const elapsedSec = (performance.now() - started) / 1000;
    const own = process.cpuUsage(ownStart);
    const perProcess = [
      (own.user + own.system) / 1e6,
      ...others.map(({ pid, start }) => Math.max(0, cpuSecondsOf(pid) - start)),
    ];
    const totalSec = perProcess.reduce((sum, v) => sum + v, 0);
    const machine = machineTicks();
    const busyPct =
      (100 * (machine.busy - machineStart.busy)) / (machine.total - machineStart.total || NaN);
    const usage = {
      machinePct: (100 * totalSec) / (elapsedSec * cores),
      maxCorePct: (100 * Math.max(...perProcess)) / elapsedSec,
    };
    return {
      loadGenCpuPct: usage.machinePct,
      loadGenMaxCorePct: usage.maxCorePct,
      machineBusyPct: busyPct,
      loadGenSaturated: loadGeneratorSaturated(usage) ? 1 : 0,
    };
  };
}

/** What `measureLoadGenerator` reports for a round. */
export interface LoadGeneratorFigures {
  loadGenCpuPct: number;
  loadGenMaxCorePct: number;
  machineBusyPct: number;
  loadGenSaturated: 0 | 1;
}

/** What every case function receives. */
export interface CaseContext {
  /** a progress line prefixed with the case id */
  log: (msg: string) => void;
  /** the product services (started lazily) */
  stack: BenchStack;
  /** epoch ms by which the case must be done */
  deadline: number;
  remainingMs: () => number;
  /** aborted when the budget runs out */
  signal: AbortSignal;
  measureCpu: typeof measureCpu;
  percentile: typeof percentile;
  /**
   * runs after teardown, even when setup failed half-way (close a server, end a pool);
   * latest first
   */
  defer: (cleanup: () => unknown) => void;
  /** processes whose CPU counts as the load generator's (besides the runner itself) */
  addLoadGenerator: (pids: number | readonly number[]) => void;
}

/** The context with what the harness itself reads back from it. */
export interface RunnerContext extends CaseContext {
  cleanups: (() => unknown)[];
  loadGenerators: number[];
}

/** What a metric's figures mean, for the progress lines and the summary. */
export interface MetricSpec {
  unit?: string;
  better?: 'higher' | 'lower';
}

/** The figures one side returned for one round: metric name → value. */
export type RoundValues = Record<string, number>;

/** Which round `run` is measuring. */
export interface RoundInfo {
  /** 0 for the warm-up */
  round: number;
  rounds: number;
  warmup: boolean;
}

/**
 * A case (see the top of this file). `S` is the state `setup` builds and every other
 * function gets back; only the case knows its shape.
 */
export interface CaseDefinition<S> {
  id: string;
  title: string;
  /** the whole case (setup, rounds, teardown) must fit; 120 s by default */
  budgetMs?: number;
  /** measured rounds per side, at least MIN_ROUNDS */
  rounds?: number;
  /** the figures `run` returns, in print order */
  metrics?: Record<string, MetricSpec>;
  targets?: Target[];
  checks?: Check[];
  /** product, baseline and any further reference sides */
  sides?: string[];
  setup(ctx: CaseContext): Promise<S>;
  run(state: S, side: string, ctx: CaseContext, info: RoundInfo): Promise<RoundValues>;
  /** do `factor` (< 1) of the work per round from now on */
  scale?(state: S, factor: number): void;
  teardown?(state: S, ctx: CaseContext): Promise<void>;
}

/** Declares a case; `S` is inferred from what `setup` resolves. */
export function defineCase<S>(definition: CaseDefinition<S>): CaseDefinition<S> {
  return definition;
}

/** Builds the context of one case. */
export function createContext({
  id,
  stack,
  budgetMs,
  signal,
  print = defaultPrint,
}: {
  id: string;
  stack: BenchStack;
  budgetMs: number;
  signal: AbortSignal;
  print?: (line: string) => void;
}): RunnerContext {
  const deadline = Date.now() + budgetMs;
  const cleanups: (() => unknown)[] = [];
  const loadGenerators: number[] = [];
  return {
    defer: (cleanup) => cleanups.push(cleanup),
    cleanups,
    loadGenerators,
    addLoadGenerator: (pids) => loadGenerators.push(...(typeof pids === 'number' ? [pids] : pids)),
    log: (msg) => print(`[${id}] ${msg}`),
    stack,
    deadline,
    remainingMs: () => deadline - Date.now(),
    signal,
    measureCpu,
    percentile,
  };
}

function defaultPrint(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** One progress line: every declared metric of a round, with its unit, then extras. */
export function describeRound(metrics: Record<string, MetricSpec>, values: RoundValues): string {
  // A side may not measure every metric (A2's relay runs one phase of three).
  const declared = Object.entries(metrics)
    .filter(([name]) => values[name] !== undefined)
    .map(
      ([name, { unit = '' }]) => `${name} ${formatNumber(values[name])}${unit ? ` ${unit}` : ''}`,
    );
  const extras = Object.keys(values)
    .filter((name) => !(name in metrics) && name !== 'loadGenSaturated')
    .map((name) => `${name} ${formatNumber(values[name])}`);
  const mark = values.loadGenSaturated ? ' ⚠ load generator saturated the machine' : '';
  return [...declared, ...extras].join(', ') + mark;
}

/** The sides in the order of a round: rotated by one each round, so none is always first. */
export function sideOrder(sides: readonly string[], round: number): string[] {
  const shift = (round - 1) % sides.length;
  return [...sides.slice(shift), ...sides.slice(0, shift)];
}

export interface CaseResult {
  id: string;
  title: string;
  status: 'done' | 'error';
  error?: string;
  durationMs: number;
  samples: { side: string; round: number; warmup: boolean; values: RoundValues }[];
  /** product, baseline and any further sides */
  sides: string[];
  /** product vs baseline */
  summary: MetricSummary[];
  /** product vs each further side */
  summaries: Record<string, MetricSummary[]>;
  /** work per round, when scaled down to fit the budget */
  scale?: number;
  targets: TargetResult[];
  checks: CheckResult[];
  metrics: Record<string, MetricSpec>;
}

/**
 * Runs one case within its budget: setup, a warm-up round per side, `rounds` alternating
 * pairs, teardown (always attempted). A case that throws or overruns its budget ends as
 * `status: 'error'` with whatever rounds it completed; the caller carries on.
 */
export async function runCase<S>(
  def: CaseDefinition<S>,
  { stack, print = defaultPrint }: { stack: BenchStack; print?: (line: string) => void },
): Promise<CaseResult> {
  const started = Date.now();
  const rounds = Math.max(MIN_ROUNDS, def.rounds ?? MIN_ROUNDS);
  const budgetMs = def.budgetMs ?? 120_000;
  const sides = def.sides ?? ['product', 'baseline'];
  const controller = new AbortController();
  const ctx = createContext({ id: def.id, stack, budgetMs, signal: controller.signal, print });
  const result: CaseResult = {
    id: def.id,
    title: def.title,
    status: 'done',
    durationMs: 0,
    sides,
    samples: [],
    summary: [],
    summaries: {},
    targets: [],
    checks: [],
    metrics: def.metrics ?? {},
  };
  const pairs: RoundPair[] = [];
  let state: S | undefined;
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new BudgetExceededError(`budget of ${Math.round(budgetMs / 1000)} s exceeded`));
    }, budgetMs);
  });
  overrun.catch(() => {});

  const measure = async (side: string, round: number, warmup: boolean) => {
    const label = warmup ? 'warm-up' : `round ${round}/${rounds}`;
    const loadGenerator = measureLoadGenerator(ctx.loadGenerators);
    const values: RoundValues = {
      // Rounds run only after setup resolved the state.
      ...(await def.run(state as S, side, ctx, { round, rounds, warmup })),
      ...loadGenerator(),
    };
    result.samples.push({ side, round, warmup, values });
    ctx.log(`${label} ${side}: ${describeRound(result.metrics, values)}`);
    return values;
  };

  const body = async () => {
    ctx.log(`${def.title} — setting up`);
    state = await def.setup(ctx);
    let roundStarted = Date.now();
    for (const side of sides) await measure(side, 0, true);
    for (let round = 1; round <= rounds; round++) {
      fitBudget(rounds - round + 1, Date.now() - roundStarted);
      roundStarted = Date.now();
      const pair = {} as RoundPair;
      for (const side of sideOrder(sides, round)) pair[side] = await measure(side, round, false);
      pairs.push(pair);
    }
  };

  /**
   * Scale the work, not the patience: before each measured round, if the rounds left (each
   * as long as the last one took) would not fit in 80 % of what is left of the budget, the
   * case does proportionally less per round from now on (the last round shows whether a
   * case's fixed costs — a server start — kept it too slow, and it is scaled again).
   */
  const fitBudget = (roundsLeft: number, lastRoundMs: number) => {
    if (!def.scale) return;
    const fits = (0.8 * ctx.remainingMs()) / (roundsLeft * lastRoundMs);
    if (fits >= 1) return;
    const scale = Math.max(0.1, (result.scale ?? 1) * fits);
    if (scale === result.scale) return;
    result.scale = scale;
    ctx.log(
      `the last round took ${(lastRoundMs / 1000).toFixed(1)} s: scaling the work per round ` +
        `to ${Math.round(scale * 100)} % to fit the budget`,
    );
    def.scale(state as S, scale);
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
  for (const side of sides.slice(2)) result.summaries[side] = summarizeRounds(pairs, side);
  result.targets = (def.targets ?? []).map((t) => evaluateTarget(t, pairs));
  result.checks = (def.checks ?? []).map((c) => evaluateCheck(c, pairs));
  result.durationMs = Date.now() - started;
  return result;
}
