/**
 * The fault suite's own single-node KRaft broker, from the Apache Kafka jars the project
 * already resolves (`scripts/infra/kafka.ts` does the same for the shared broker). The
 * suite stops and restarts it, so it must never be the broker other suites use.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DIRECT_BROKERS, FAULTS_DIR, KAFKA_LIB_DIR, LOG_DIR, ports, ROOT } from './layout';
import { startProcess, stopNamed } from './processes';

const KAFKA_DIR = join(FAULTS_DIR, 'kafka');
const DATA_DIR = join(KAFKA_DIR, 'data');
const PROPS_FILE = join(KAFKA_DIR, 'server.properties');
const LOG4J_FILE = join(KAFKA_DIR, 'log4j2.properties');
const PROCESS_NAME = 'kafka';

/** The suite's own copy of the jars, when the shared broker did not need them (Docker). */
const OWN_LIB_DIR = join(FAULTS_DIR, 'kafka-lib');
const classpath = () => `${existsSync(KAFKA_LIB_DIR) ? KAFKA_LIB_DIR : OWN_LIB_DIR}/*`;

/**
 * The broker's jars: those `npm run infra:up` resolved for the shared broker, or —
 * where that broker runs in Docker and no jars were needed — the same pom's dependencies
 * resolved by Maven into the suite's own folder (kept between runs).
 */
function ensureJars(): void {
  if (existsSync(KAFKA_LIB_DIR) || existsSync(join(OWN_LIB_DIR, '.complete'))) return;
  execFileSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      join(ROOT, 'infra', 'kafka', 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${OWN_LIB_DIR}`,
      '-DincludeScope=runtime',
    ],
    { stdio: 'inherit', timeout: 15 * 60_000 },
  );
  writeFileSync(join(OWN_LIB_DIR, '.complete'), '');
}

function writeConfig(): void {
  mkdirSync(KAFKA_DIR, { recursive: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': `127.0.0.1:${ports.controller}`,
    listeners: [
      `PLAINTEXT://127.0.0.1:${ports.broker}`,
      `CONTROLLER://127.0.0.1:${ports.controller}`,
      `PROXIED://127.0.0.1:${ports.brokerBehindProxy}`,
    ].join(','),
    // Clients that connect to PROXIED are told the broker lives at the proxy, so all
    // their later connections go through it too.
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${ports.broker},PROXIED://127.0.0.1:${ports.proxy}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,PROXIED:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': DATA_DIR,
    'num.partitions': 3,
    'offsets.topic.replication.factor': 1,
    // One partition of __consumer_offsets: the coordinator loads in a blink after a restart.
    'offsets.topic.num.partitions': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'auto.create.topics.enable': false,
    'group.initial.rebalance.delay.ms': 0,
  };
  writeFileSync(
    PROPS_FILE,
    `${Object.entries(props)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n')}\n`,
  );
  writeFileSync(
    LOG4J_FILE,
    [
      'status = warn',
      'shutdownHook = disable',
      'appender.file.type = File',
      'appender.file.name = file',
      `appender.file.fileName = ${join(LOG_DIR, 'kafka-broker.log')}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = file',
      '',
    ].join('\n'),
  );
}

async function answers(): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'faults-probe',
    brokers: [DIRECT_BROKERS],
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    // A consumer group's first join waits for the coordinator; get that done here.
    await admin.describeGroups(['faults-readiness-probe']);
    return cluster.brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The suite's broker: format once per run, then start, stop and start again. */
export abstract class FaultBroker {
  /** Wipes the data of an earlier run and formats fresh KRaft storage. */
  static format(): void {
    ensureJars();
    rmSync(KAFKA_DIR, { recursive: true, force: true });
    writeConfig();
    // A cluster id is 16 random bytes in unpadded base64url, as `StorageTool random-uuid` prints.
    const clusterId = randomBytes(16).toString('base64url');
    execFileSync(
      'java',
      [
        '-cp',
        classpath(),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        PROPS_FILE,
        '--standalone',
      ],
      { stdio: 'pipe', timeout: 120_000 },
    );
  }

  /** Starts the broker (on the formatted data) and resolves once clients can use it. */
  static async start(timeoutMs = 90_000): Promise<void> {
    const child = startProcess(PROCESS_NAME, 'java', [
      '-Xmx384m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Dlog4j2.configurationFile=${LOG4J_FILE}`,
      '-cp',
      classpath(),
      'kafka.Kafka',
      PROPS_FILE,
    ]);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      if (await answers()) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    const tail = readFileSync(join(LOG_DIR, 'kafka-broker.log'), 'utf8').split('\n').slice(-30);
    throw new Error(`the fault-suite broker did not start:\n${tail.join('\n')}`);
  }

  /** Stops the broker with `signal` (SIGTERM: an orderly shutdown) and waits for the exit. */
  static async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await stopNamed(PROCESS_NAME, signal, 30_000);
  }
}
