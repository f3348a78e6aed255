// The reusable entry points behind `npm run infra:up` / `infra:down`, for the stack
// orchestrator (scripts/stack) and other scripts to import.

import { createLogger, formatDuration } from './lib';
import { ensureKafka, type KafkaResult, stopKafka } from './kafka';
import { ensurePostgres, type PostgresResult, stopPostgres } from './postgres';
import { ensureRedis, type RedisResult, stopRedis } from './redis';

export { deleteTopicsWithPrefix, ensureKafka, kafkaBrokers, stopKafka } from './kafka';
export {
  connectAdmin,
  databaseUrl,
  dropDatabases,
  ensurePostgres,
  recreateDatabases,
  stopPostgres,
} from './postgres';
export { ensureRedis, redisUrl, stopRedis } from './redis';

const log = createLogger();

export interface InfraResult {
  postgres: PostgresResult;
  redis: RedisResult;
  kafka: KafkaResult;
}

/**
 * Ensures PostgreSQL (with `databases`), Redis and Kafka are reachable, reusing what already
 * runs and starting only what does not, and prints a short summary. Components run one
 * after another: they are quick except Kafka, and interleaved progress lines would be
 * harder to read than the few milliseconds saved.
 */
export async function infraUp({
  databases = [],
}: { databases?: readonly string[] } = {}): Promise<InfraResult> {
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

/** What `infraDown` did with each component. */
export type InfraOutcomes = Record<'kafka' | 'redis' | 'postgres', string>;

/**
 * Stops whatever `infraUp` started (as recorded in .infra/state.json) and nothing else;
 * data is kept.
 */
export async function infraDown(): Promise<InfraOutcomes> {
  // Reverse start order: services' clients of Kafka go first, the database last.
  const outcomes: InfraOutcomes = {
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

/** Stoppers by component name, for a caller that stops only what it started itself. */
export const STOPPERS: Record<string, () => Promise<string>> = {
  kafka: stopKafka,
  redis: stopRedis,
  postgres: stopPostgres,
};
