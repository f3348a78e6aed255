// Runs the named steps of the npm scripts (build, lint, test) with a heading and a timing
// for each, so a long CI log shows where time goes and which step failed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');

export interface StepOptions {
  env?: NodeJS.ProcessEnv;
}

/** A step: its heading, a command from node_modules/.bin (or `node`, or a TypeScript script run with tsx: `tsx`), its arguments. */
export type Step = [label: string, command: string, args?: string[], options?: StepOptions];

/** Runs a command from node_modules/.bin (or an absolute one); returns true on exit code 0. */
export function run(
  label: string,
  command: string,
  args: string[] = [],
  { env }: StepOptions = {},
): boolean {
  const started = Date.now();
  process.stdout.write(`\n▶ ${label}\n`);
  // `node` and TypeScript scripts (`tsx`) run on the node running this script.
  const executable =
    command === 'node' || command === 'tsx' ? process.execPath : path.join(BIN, command);
  const argv = command === 'tsx' ? ['--import', 'tsx', ...args] : args;
  const result = spawnSync(executable, argv, {
    cwd: ROOT,
    stdio: 'inherit',
    // buf finds its ts-proto plugin on PATH; `npm run` adds .bin, a direct `node` run does not.
    // Tools in .bin start with `#!/usr/bin/env node`: the pinned node is .bin/node where
    // one is pinned (scripts/runtime.mjs), else the node running this script comes next.
    env: {
      ...process.env,
      PATH: [BIN, path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter),
      ...env,
    },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  process.stdout.write(`${ok ? '✔' : '✘'} ${label} (${seconds} s)\n`);
  return ok;
}

/** Runs steps in order, stopping at the first failure; exits non-zero if any failed. */
export function runAll(steps: Step[]): void {
  for (const [label, command, args, options] of steps) {
    if (!run(label, command, args, options)) {
      process.stdout.write(`\nFailed at: ${label}\n`);
      process.exit(1);
    }
  }
}
