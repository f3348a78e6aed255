// The one orchestrator of the project's stacks (docs/adr/0036-one-typed-orchestrator.md):
// `npm run up` / `down`, the e2e and fault suites, the benchmarks and the demo start the
// infrastructure and the services through it, each with its own profile.
export * from './profiles';
export * from './services';
export * from './gateway';
export {
  type InfraResult,
  databaseUrl,
  dropDatabases,
  infraDown,
  infraUp,
  deleteTopicsWithPrefix,
  recreateDatabases,
  kafkaBrokers,
  redisUrl,
  STOPPERS,
} from '../infra/index';
export { GatewayUnavailableError, gatewayPaths } from '../infra/gateway';
export {
  type Logger,
  createLogger,
  silentLogger,
  readState,
  REPO_ROOT,
  INFRA_DIR,
  runCli,
  sleep,
  probeTcp,
} from '../infra/lib';
