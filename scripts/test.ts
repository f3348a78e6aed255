// `npm test`: the whole suite, in the order that fails fastest — lint, type check, unit,
// then end to end against real PostgreSQL, Kafka and Redis (the e2e global setup starts
// whatever is not running, builds, and runs each service of the e2e profile as its own
// process), then the fault-injection suite (its own broker, processes killed and
// restarted). scripts/runtime.mjs has installed the npm packages by now.
// Infrastructure this run started is stopped at the end; what was already running stays.
import { readState, STOPPERS } from './stack';
import { run, type Step } from './steps';

async function main(): Promise<void> {
  const startedBefore = new Set(Object.keys(readState().started));
  const steps: Step[] = [
    ['generate gRPC contracts', 'tsx', ['scripts/proto-gen.ts']],
    ['lint', 'tsx', ['scripts/lint.ts']],
    ['type check', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
    ['type check (web client)', 'tsc', ['-p', 'apps/web/tsconfig.json', '--noEmit']],
    ['type check (GraphQL IDE)', 'tsc', ['-p', 'apps/profile/graphiql/tsconfig.json']],
    ['unit tests', 'jest', ['--config', 'jest.config.js', '--ci']],
    ['end-to-end tests', 'jest', ['--config', 'jest.e2e.config.js', '--ci', '--runInBand']],
    // kill -9, a stopped broker, dropped database connections: with their own broker and
    // service processes (test/faults/README.md).
    ['fault-injection tests', 'jest', ['--config', 'jest.faults.config.js', '--ci', '--runInBand']],
  ];

  let failed: string | undefined;
  for (const [label, command, args] of steps) {
    if (!run(label, command, args)) {
      failed = label;
      break;
    }
  }

  for (const component of Object.keys(readState().started)) {
    const stop = STOPPERS[component];
    if (startedBefore.has(component) || !stop) continue;
    process.stdout.write(`stopping ${component} (started by this run): ${await stop()}\n`);
  }

  if (failed) {
    process.stdout.write(`\nnpm test failed at: ${failed}\n`);
    process.exit(1);
  }
  process.stdout.write('\nnpm test: all steps passed\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`npm test: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
