/**
 * Where the fault suite keeps its things: the orchestrator's `faults` profile
 * (scripts/stack/profiles.ts). It never touches the shared broker on :9092 or another
 * suite's databases: it runs its own Kafka broker, its own build of the services and its
 * own `<svc>_faults` databases, on ports of its own.
 */
import { join } from 'node:path';
import {
  databaseUrl,
  FAULTS_BROKER_PORTS,
  INFRA_DIR,
  profiles,
  REPO_ROOT,
} from '../../../scripts/stack';

export const faultsProfile = profiles.faults();

export const ROOT = REPO_ROOT;
/** Broker data, logs, pid files: all under one ignored folder, wiped at each run. */
export const FAULTS_DIR = join(INFRA_DIR, 'faults');
/** The services built for this suite (`scripts/build.ts` with `BUILD_OUT_DIR`). */
export const BUILD_DIR = faultsProfile.buildDir;
/** The Apache Kafka jars `npm run infra:up` resolves from Maven Central. */
export const KAFKA_LIB_DIR = join(INFRA_DIR, 'kafka', 'lib');
export const LOG_DIR = faultsProfile.logDir;
/** One `<name>.pid` per process the suite starts, so a later run can clean up leftovers. */
export const PID_DIR = join(FAULTS_DIR, 'pids');

export const ports = {
  ...FAULTS_BROKER_PORTS,
  /** The test token issuer's JWKS. */
  issuer: 19190,
  friends: { http: faultsProfile.ports.friends.http, grpc: faultsProfile.ports.friends.grpc! },
  friendsSecond: { http: 19113, grpc: 19163 },
  profile: { http: faultsProfile.ports.profile.http, grpc: faultsProfile.ports.profile.grpc! },
} as const;

/**
 * The suite's Kafka topic prefix (`KAFKA_TOPIC_PREFIX`, ADR 0034). Its broker is its own,
 * so this only keeps the suite in the same shape as every other test stack: the services
 * and the test's own clients all use the prefixed names.
 */
export const FAULTS_TOPIC_PREFIX = faultsProfile.topicPrefix;

/** The broker's name of a contract topic in this suite. */
export const faultsTopic = (name: string): string => `${FAULTS_TOPIC_PREFIX}${name}`;

export const DIRECT_BROKERS = `127.0.0.1:${ports.broker}`;
export const PROXIED_BROKERS = `127.0.0.1:${ports.proxy}`;

export const DATABASE_ADMIN_URL =
  process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export { databaseUrl };
