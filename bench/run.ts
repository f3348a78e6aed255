// `npm run bench [-- A1 C …]`: ensures PostgreSQL / Kafka / Redis, builds the services once
// into .infra/bench-dist, runs the cases of bench/cases/ in order (each within its own
// budget; one that fails or overruns is reported and the run goes on), writes
// bench/results/<timestamp>.json (with the machine and the versions and key settings of
// PostgreSQL, Redis and Kafka) and prints a summary table. Exit code 1 when a case errored
// or a hard check failed; missed targets are findings, not failures. See bench/README.md.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { infraUp } from '../scripts/infra';
import { TS_NODE_FLAGS } from './lib/child';
import { type CaseDefinition, type CaseResult, formatNumber, runCase } from './lib/harness';
import { infraInfo } from './lib/infra-info';
import { median } from './lib/stats';
import { BENCH_BUILD_DIR, BenchStack } from './lib/stack';

const BENCH_DIR = __dirname;
const ROOT = path.resolve(BENCH_DIR, '..');

/**
 * Every case, in run order: its module in bench/cases/, loaded when it runs. A case's
 * state is its own business (the harness only hands it back), hence `unknown` here.
 */
const CASES = {
  A1: () => import('./cases/A1'),
  A2: () => import('./cases/A2'),
  B: () => import('./cases/B'),
  C: () => import('./cases/C'),
  D: () => import('./cases/D'),
  E: () => import('./cases/E'),
  F: () => import('./cases/F'),
  G: () => import('./cases/G'),
  GW: () => import('./cases/GW'),
  H: () => import('./cases/H'),
  I: () => import('./cases/I'),
  J: () => import('./cases/J'),
} satisfies Record<string, () => Promise<{ default: CaseDefinition<unknown> }>>;

type CaseId = keyof typeof CASES;

/** Every case, in run order. */
export const CASE_IDS = Object.keys(CASES) as CaseId[];

const say = (line: string) => process.stdout.write(`[bench] ${line}\n`);

/** The version a component of `infraInfo` reports, if it could be read. */
const versionOf = (info: object): string | undefined =>
  'version' in info && typeof info.version === 'string' ? info.version : undefined;

/** The machine, stored with the figures so runs on different hosts are not compared blindly. */
function machine() {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** Cases named on the command line (any case, any order given), else all in run order. */
function selectedCases(args: readonly string[]): CaseId[] {
  const wanted = args.map((a) => a.toUpperCase());
  const unknown = wanted.filter((id) => !(CASE_IDS as string[]).includes(id));
  if (unknown.length > 0) {
    throw new Error(`unknown case(s) ${unknown.join(', ')}; known: ${CASE_IDS.join(' ')}`);
  }
  return wanted.length > 0 ? CASE_IDS.filter((id) => wanted.includes(id)) : CASE_IDS;
}

function build() {
  if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(path.join(ROOT, BENCH_BUILD_DIR))) {
    say(`build skipped (BENCH_SKIP_BUILD=1), using ${BENCH_BUILD_DIR}`);
    return;
  }
  say(`building the services into ${BENCH_BUILD_DIR}…`);
  execFileSync(process.execPath, [...TS_NODE_FLAGS, path.join(ROOT, 'scripts', 'build.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, BUILD_OUT_DIR: BENCH_BUILD_DIR },
  });
}

/** Rows of the summary: one per declared metric, target and check of each case. */
export function summaryRows(results: readonly CaseResult[]): string[][] {
  const rows: string[][] = [];
  for (const result of results) {
    if (result.status === 'error') {
      rows.push([result.id, 'ERROR', '', '', '', '', '', (result.error ?? '').split('\n')[0]]);
    }
    const targeted = new Set(result.targets.map((t) => t.metric));
    for (const target of result.targets) {
      const metric = result.summary.find((s) => s.metric === target.metric);
      const unit = result.metrics[target.metric]?.unit ?? '';
      rows.push([
        result.id,
        `${target.metric}${unit ? ` (${unit})` : ''}`,
        formatNumber(metric?.product),
        formatNumber(metric?.baseline),
        formatNumber(target.value),
        `${formatNumber(target.min)}–${formatNumber(target.max)}`,
        target.target,
        target.pass ? 'pass' : 'MISS',
      ]);
    }
    for (const check of result.checks) {
      rows.push([
        result.id,
        check.metric,
        check.values.map(formatNumber).join(' '),
        '',
        '',
        '',
        check.target,
        check.pass ? 'pass' : 'MISS',
      ]);
    }
    for (const [name, { unit = '' } = {}] of Object.entries(result.metrics)) {
      if (targeted.has(name)) continue;
      const metric = result.summary.find((s) => s.metric === name);
      if (!metric) continue;
      rows.push([
        result.id,
        `${name}${unit ? ` (${unit})` : ''}`,
        formatNumber(metric.product),
        formatNumber(metric.baseline),
        formatNumber(metric.ratio),
        `${formatNumber(metric.ratioMin)}–${formatNumber(metric.ratioMax)}`,
        '',
        '',
      ]);
    }
    // Further reference sides (relay without adapter, graphql-jit…): product ÷ that side.
    for (const [side, summary] of Object.entries(result.summaries ?? {})) {
      const sideTargets = new Set(
        result.targets.filter((t) => t.target.endsWith(` vs ${side}`)).map((t) => t.metric),
      );
      for (const [name, { unit = '' } = {}] of Object.entries(result.metrics)) {
        const metric = summary.find((s) => s.metric === name);
        if (!metric || sideTargets.has(name) || !Number.isFinite(metric.baseline)) continue;
        rows.push([
          result.id,
          `${name}${unit ? ` (${unit})` : ''} vs ${side}`,
          formatNumber(metric.product),
          formatNumber(metric.baseline),
          formatNumber(metric.ratio),
          `${formatNumber(metric.ratioMin)}–${formatNumber(metric.ratioMax)}`,
          '',
          '',
        ]);
      }
    }
    rows.push(loadGeneratorRow(result));
  }
  return rows;
}

/** The load generator's median CPU share per side, and how many rounds it saturated. */
function loadGeneratorRow(result: CaseResult): string[] {
  const measured = result.samples.filter((s) => !s.warmup);
  const perSide = (result.sides ?? ['product', 'baseline']).map((side) => {
    const rounds = measured.filter((s) => s.side === side);
    const share = median(rounds.map((s) => s.values.loadGenCpuPct));
    const saturated = rounds.filter((s) => s.values.loadGenSaturated).length;
    return `${side} ${formatNumber(share)} %${saturated ? ` (${saturated} saturated)` : ''}`;
  });
  const saturated = measured.some((s) => s.values.loadGenSaturated);
  return [
    result.id,
    'load generator (% of machine)',
    perSide.join(', '),
    '',
    '',
    '',
    '',
    saturated ? 'saturated ⚠' : '',
  ];
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: string[]) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
  process.stdout.write('\n');
}

async function main() {
  const ids = selectedCases(process.argv.slice(2));
  const started = new Date();
  say(`cases: ${ids.join(' ')}`);
  await infraUp({ databases: [] });
  const infra = await infraInfo();
  say(
    `PostgreSQL ${versionOf(infra.postgres) ?? '?'}, Redis ${versionOf(infra.redis) ?? '?'}, ` +
      `Kafka ${versionOf(infra.kafka) ?? '?'} (settings in the results file)`,
  );
  build();

  const stack = new BenchStack();
  const killChildren = () => stack.killAllNow();
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping the bench services`);
      killChildren();
      process.exit(130);
    });
  }

  const results: CaseResult[] = [];
  try {
    for (const id of ids) {
      const def: CaseDefinition<unknown> = (await CASES[id]()).default;
      const result = await runCase(def, { stack });
      say(
        `${id} ${result.status} in ${(result.durationMs / 1000).toFixed(0)} s` +
          (result.error ? `: ${result.error}` : ''),
      );
      results.push(result);
    }
  } finally {
    await stack.stop();
  }

  const resultsDir = path.join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const totalSec = (Date.now() - started.getTime()) / 1000;
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: started.toISOString(), totalSec, machine: machine(), infra, cases: results }, null, 2)}\n`,
  );

  printTable(
    ['id', 'metric', 'product', 'baseline', 'ratio', 'min–max', 'target', 'result'],
    summaryRows(results),
  );
  say(`results written to ${path.relative(ROOT, file)}; total ${totalSec.toFixed(0)} s`);
  const errored = results.filter((r) => r.status === 'error');
  if (errored.length > 0) {
    say(`errored: ${errored.map((r) => r.id).join(', ')}`);
    process.exitCode = 1;
  }
  // Hard checks (nothing lost, order kept, stores agree…) are correctness, not speed.
  const failed = results.flatMap((r) =>
    r.checks.filter((c) => !c.pass).map((c) => `${r.id} ${c.metric}`),
  );
  if (failed.length > 0) {
    say(`hard checks failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

// Exit explicitly: a case that overran its budget may still hold sockets or timers open,
// and the run must stay bounded in time.
main().then(
  () => process.exit(),
  (error) => {
    process.stderr.write(`[bench] ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
