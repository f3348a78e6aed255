// `npm test`: the whole suite, in the order that fails fastest — lint, type check, unit,
// then end to end against real PostgreSQL, Kafka and Redis (the e2e global setup starts
// whatever is not running, builds, and runs each service as its own process), then the
// fault-injection suite (its own broker, processes killed and restarted).
// Infrastructure this run started is stopped at the end; what was already running stays.
import { ensureInstalled } from './ensure-install.mjs';

ensureInstalled();
// Imported only now: these need the packages installed above.
const { stopKafka, stopPostgres, stopRedis } = await import('./infra/index.mjs');
const { readState } = await import('./infra/lib.mjs');
const { run } = await import('./steps.mjs');

const startedBefore = new Set(Object.keys(readState().started ?? {}));
const steps = [
  ['generate gRPC contracts', 'node', ['scripts/proto-gen.mjs']],
  ['lint', 'node', ['scripts/lint.mjs']],
  ['type check', 'tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['type check (web client)', 'tsc', ['-p', 'apps/web/tsconfig.json', '--noEmit']],
  ['type check (GraphQL IDE)', 'tsc', ['-p', 'apps/profile/graphiql/tsconfig.json']],
  ['unit tests', 'jest', ['--config', 'jest.config.js', '--ci']],
  ['end-to-end tests', 'jest', ['--config', 'jest.e2e.config.js', '--ci', '--runInBand']],
  // kill -9, a stopped broker, dropped database connections: with their own broker and
  // service processes (test/faults/README.md).
  ['fault-injection tests', 'jest', ['--config', 'jest.faults.config.js', '--ci', '--runInBand']],
];

let failed;
for (const [label, command, args] of steps) {
  if (!run(label, command, args)) {
    failed = label;
    break;
  }
}

const stoppers = { kafka: stopKafka, redis: stopRedis, postgres: stopPostgres };
for (const component of Object.keys(readState().started ?? {})) {
  if (startedBefore.has(component) || !stoppers[component]) continue;
  process.stdout.write(
    `stopping ${component} (started by this run): ${await stoppers[component]()}\n`,
  );
}

if (failed) {
  process.stdout.write(`\nnpm test failed at: ${failed}\n`);
  process.exit(1);
}
process.stdout.write('\nnpm test: all steps passed\n');
