// The reusable entry points behind `npm run infra:up` / `infra:down`, for other scripts
// (`npm run up`, `npm test`) to import:
//   import { infraUp, infraDown } from './infra/index.mjs';

import { createLogger, formatDuration } from './lib.mjs';
import { ensureKafka, stopKafka } from './kafka.mjs';
import { ensurePostgres, stopPostgres } from './postgres.mjs';
import { ensureRedis, stopRedis } from './redis.mjs';

export { ensureKafka, kafkaBrokers, stopKafka } from './kafka.mjs';
export { databaseUrl, dropDatabases, ensurePostgres, stopPostgres } from './postgres.mjs';
export { ensureRedis, stopRedis } from './redis.mjs';

const log = createLogger();

/** One database per service, as ARCHITECTURE.md prescribes. */
export const SERVICE_DATABASES = ['auth', 'profile', 'friends', 'messenger'];
/** Test runs use their own databases so they can be dropped without touching dev data. */
export const TEST_DATABASES = SERVICE_DATABASES.map((name) => `${name}_test`);

/**
 * Ensures PostgreSQL (with `databases`), Redis and Kafka are reachable, reusing what already
 * runs and starting only what does not. Resolves with each component's result
 * (`{ status: 'reused' | 'started', detail, ... }`) and prints a short summary.
 * Components run one after another: they are quick except Kafka, and interleaved
 * progress lines would be harder to read than the few milliseconds saved.
 */
export async function infraUp({ databases = [...SERVICE_DATABASES, ...TEST_DATABASES] } = {}) {
  const started = Date.now();
  const postgres = await ensurePostgres(databases);
  const redis = await ensureRedis();
  const kafka = await ensureKafka();

  log.info(`postgres  ${postgres.status.padEnd(7)}  ${postgres.detail}`);
  if (postgres.created.length > 0)
    log.info(`          created databases: ${postgres.created.join(', ')}`);
  log.info(`redis     ${redis.status.padEnd(7)}  ${redis.url} — ${redis.detail}`);
  log.info(`kafka     ${kafka.status.padEnd(7)}  ${kafka.brokers.join(',')} — ${kafka.detail}`);
  log.info(`infrastructure ready in ${formatDuration(Date.now() - started)}`);
  return { postgres, redis, kafka };
}

/**
 * Stops whatever `infraUp` started (as recorded in .infra/state.json) and nothing else;
 * data is kept. Resolves with each component's outcome
 * (`'stopped' | 'killed' | 'not-running' | 'not-ours'`).
 */
export async function infraDown() {
  // Reverse start order: services' clients of Kafka go first, the database last.
  const outcomes = {
    kafka: await stopKafka(),
    redis: await stopRedis(),
    postgres: await stopPostgres(),
  };
  for (const [component, outcome] of Object.entries(outcomes)) {
    const text = outcome === 'not-ours' ? 'left alone (not started by infra:up)' : outcome;
    log.info(`${component.padEnd(9)} ${text}`);
  }
  return outcomes;
}
