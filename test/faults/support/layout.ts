/**
 * Where the fault suite keeps its things. It never touches the shared broker on :9092 or
 * another suite's databases: it runs its own Kafka broker, its own build of the services
 * and its own `<svc>_faults` databases, on ports of its own.
 */
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
/** Broker data, logs, pid files: all under one ignored folder, wiped at each run. */
export const FAULTS_DIR = join(ROOT, '.infra', 'faults');
/** The services built for this suite (`scripts/build.mjs` with `BUILD_OUT_DIR`). */
export const BUILD_DIR = join(ROOT, '.infra', 'faults-dist');
/** The Apache Kafka jars `scripts/infra/up.mjs` resolves from Maven Central. */
export const KAFKA_LIB_DIR = join(ROOT, '.infra', 'kafka', 'lib');
export const LOG_DIR = join(FAULTS_DIR, 'logs');
/** One `<name>.pid` per process the suite starts, so a later run can clean up leftovers. */
export const PID_DIR = join(FAULTS_DIR, 'pids');

export const ports = {
  /** The suite's broker, as test clients and "healthy" services reach it. */
  broker: 19092,
  controller: 19093,
  /**
   * A second broker listener that advertises the fault proxy's address: a client that
   * bootstraps through the proxy keeps talking through it (see `FaultProxy`).
   */
  brokerBehindProxy: 19094,
  proxy: 19095,
  /** The test token issuer's JWKS. */
  issuer: 19190,
  friends: { http: 19103, grpc: 19153 },
  friendsSecond: { http: 19113, grpc: 19163 },
  profile: { http: 19102, grpc: 19152 },
} as const;

/**
 * The suite's Kafka topic prefix (`KAFKA_TOPIC_PREFIX`, ADR 0034). Its broker is its own,
 * so this only keeps the suite in the same shape as every other test stack: the services
 * and the test's own clients all use the prefixed names.
 */
export const FAULTS_TOPIC_PREFIX = 'faults.';

/** The broker's name of a contract topic in this suite. */
export const faultsTopic = (name: string): string => `${FAULTS_TOPIC_PREFIX}${name}`;

export const DIRECT_BROKERS = `127.0.0.1:${ports.broker}`;
export const PROXIED_BROKERS = `127.0.0.1:${ports.proxy}`;

export const DATABASE_ADMIN_URL =
  process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** URL of database `name` on the server of {@link DATABASE_ADMIN_URL}. */
export const databaseUrl = (name: string): string =>
  DATABASE_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
