// Makes a Kafka broker available at KAFKA_BROKERS (default 127.0.0.1:9092).
//
// Order of preference: a broker that already answers (reuse it), then Docker Compose when a
// Docker engine runs, then a real single-node KRaft broker run with the machine's Java from
// the official Apache Kafka jars (resolved from Maven Central by infra/kafka/pom.xml).
// The local broker keeps everything under .infra/kafka/: `rm -rf .infra/kafka` resets it.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
// kafkajs' idle 1 ms timer loop and its TimeoutNegativeWarning, fixed as in the services.
import '../../libs/kafka/src/request-queue-fix';
import {
  INFRA_DIR,
  REPO_ROOT,
  type StopOutcome,
  WaitAbortedError,
  errorMessage,
  createLogger,
  fileSize,
  findExecutable,
  forgetStarted,
  isLoopbackHost,
  parseHostPort,
  probeTcp,
  readState,
  recordStarted,
  reuseNote,
  runCommand,
  runningPidFromFile,
  spawnDetached,
  startProgress,
  stopByPidfile,
  tailFile,
  waitFor,
  withLock,
} from './lib';

const log = createLogger('kafka');

const POM = path.join(REPO_ROOT, 'infra', 'kafka', 'pom.xml');
const KAFKA_DIR = path.join(INFRA_DIR, 'kafka');
const LIB_DIR = path.join(KAFKA_DIR, 'lib');
const DATA_DIR = path.join(KAFKA_DIR, 'data');
const PROPS_FILE = path.join(KAFKA_DIR, 'server.properties');
const LOG4J_FILE = path.join(KAFKA_DIR, 'log4j2.properties');
const BROKER_LOG = path.join(KAFKA_DIR, 'broker.log');
// The JVM's own stdout/stderr: normally empty, but it is where a crash before logging
// starts (bad option, missing class, out of memory) ends up.
const JVM_OUT = path.join(KAFKA_DIR, 'broker.out');
const MAVEN_LOG = path.join(KAFKA_DIR, 'maven.log');
const PID_FILE = path.join(KAFKA_DIR, 'broker.pid');
// Marks a complete jar download and which pom produced it; see resolveJars().
const LIB_STAMP = path.join(LIB_DIR, '.resolved-from-pom');
// Records which listeners the data dir was formatted for; see formatStorage().
const FORMAT_STAMP = path.join(KAFKA_DIR, 'formatted-for.json');

// The props path is unique to this checkout, so it identifies *our* broker in /proc.
const PROCESS_MATCH = PROPS_FILE;
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 30_000;

/** Brokers from KAFKA_BROKERS, as kafkajs expects them (`host:port` strings). */
export function kafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/**
 * True when a broker answers a metadata request and lists at least one live broker.
 * A plain TCP probe comes first so the common "nothing is listening" case costs
 * milliseconds instead of kafkajs' connection timeout.
 */
async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const { host, port } = parseHostPort(brokers[0], 9092);
  if (!(await probeTcp(host, port, 1000))) return false;
  return withProbeAdmin(brokers, async (admin) => {
    await admin.listTopics();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  });
}

/** Runs `fn` with a kafkajs admin client that fails fast and logs nothing. */
export async function withProbeAdmin<T>(
  brokers: string[],
  fn: (admin: Admin) => Promise<T>,
  { retries = 0 }: { retries?: number } = {},
): Promise<T> {
  const kafka = new Kafka({
    clientId: 'infra-probe',
    brokers,
    connectionTimeout: 1500,
    requestTimeout: 3000,
    retry: { retries, initialRetryTime: 100 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * On a fresh broker the group coordinator creates and loads __consumer_offsets on first use,
 * and until then every consumer join fails with "coordinator is loading". Asking about a
 * group once, right after start, gets that done here instead of in the first test's consumer.
 * Best effort: a broker that lists topics is usable even if this does not finish.
 */
async function warmGroupCoordinator(brokers: string[]): Promise<void> {
  try {
    await waitFor(
      // kafkajs needs a couple of internal retries to locate a coordinator at all (it
      // refreshes metadata in between), hence not the fail-fast setting of the other probes.
      () =>
        withProbeAdmin(
          brokers,
          (admin) => admin.describeGroups(['infra-readiness-probe']).then(() => true),
          { retries: 2 },
        ),
      { timeoutMs: 30_000, intervalMs: 250, label: 'Kafka group coordinator', log },
    );
  } catch (err) {
    log.warn(`${errorMessage(err)}; consumers may retry their first join`);
  }
}

async function dockerEngineRuns(): Promise<boolean> {
  if (!findExecutable('docker')) return false;
  // `docker --version` only proves the CLI exists; `docker info` needs a live engine.
  const { code } = await runCommand('docker', ['info'], { timeoutMs: 15_000 });
  return code === 0;
}

function composeFile(): string | undefined {
  return ['docker-compose.yml', 'compose.yaml', 'compose.yml', 'docker-compose.yaml']
    .map((name) => path.join(REPO_ROOT, name))
    .find((file) => fs.existsSync(file));
}

async function waitUntilReady(
  brokers: string[],
  { isDead, label }: { isDead?: () => string | false | null; label: string },
): Promise<void> {
  await waitFor(
    async () => {
      const death = isDead?.();
      if (death) throw new WaitAbortedError(death);
      return kafkaAnswers(brokers);
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 500, label, log },
  );
  await warmGroupCoordinator(brokers);
}

// ---------------------------------------------------------------------------------------
// Local broker from the Apache Kafka jars
// ---------------------------------------------------------------------------------------

function pomDigest(): string {
  return createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
}

/**
 * Copies the broker's runtime classpath into .infra/kafka/lib with Maven, once per pom
 * version: the stamp file makes the next start skip Maven (and the network) entirely.
 * Maven writes into a temporary folder that is renamed into place only on success, so an
 * interrupted download can never pass for a complete one.
 */
async function resolveJars(): Promise<void> {
  const digest = pomDigest();
  if (fs.existsSync(LIB_STAMP) && fs.readFileSync(LIB_STAMP, 'utf8').trim() === digest) return;

  if (!findExecutable('mvn')) {
    throw new Error(
      'no Kafka broker is reachable, Docker is not running and Maven (`mvn`) is not on PATH to fetch the broker jars',
    );
  }
  const tmpDir = `${LIB_DIR}.partial-${process.pid}`;
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(KAFKA_DIR, { recursive: true });

  log.info(
    'resolving the Apache Kafka broker jars with Maven (first run only; needs Maven Central) …',
  );
  let downloaded = 0;
  const progress = startProgress(log, 'Maven is resolving jars', {
    detail: () => `${downloaded} files downloaded`,
  });
  const mavenLog = fs.createWriteStream(MAVEN_LOG);
  const args = [
    '-B',
    '-f',
    POM,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${tmpDir}`,
    '-DincludeScope=runtime',
  ];
  // Not `-q`: the "Downloaded from" lines are what the progress counter counts; the whole
  // output goes to maven.log for when something fails.
  const code = await new Promise<number>((resolve) => {
    const mvn = spawn('mvn', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer) => {
      mavenLog.write(chunk);
      downloaded += (chunk.toString().match(/Downloaded from/g) ?? []).length;
    };
    mvn.stdout.on('data', onData);
    mvn.stderr.on('data', onData);
    mvn.once('error', () => resolve(-1));
    mvn.once('close', (exitCode) => resolve(exitCode ?? -1));
  });
  await new Promise<void>((resolve) => mavenLog.end(resolve));

  if (code !== 0) {
    progress.stop();
    fs.rmSync(tmpDir, { recursive: true, force: true });
    log.block(
      `Maven failed (exit ${code}); last lines of ${path.relative(REPO_ROOT, MAVEN_LOG)}:`,
      tailFile(MAVEN_LOG, 30),
    );
    throw new Error('could not resolve the Kafka broker jars from Maven Central');
  }
  fs.writeFileSync(path.join(tmpDir, path.basename(LIB_STAMP)), `${digest}\n`);
  fs.rmSync(LIB_DIR, { recursive: true, force: true });
  fs.renameSync(tmpDir, LIB_DIR);
  const jars = fs.readdirSync(LIB_DIR).filter((f) => f.endsWith('.jar')).length;
  progress.stop(
    `resolved ${jars} jars into ${path.relative(REPO_ROOT, LIB_DIR)} in ${(progress.elapsedMs() / 1000).toFixed(1)}s`,
  );
}

async function checkJava(): Promise<void> {
  if (!findExecutable('java')) {
    throw new Error(
      'no Kafka broker is reachable, Docker is not running and Java (17+) is not on PATH to run one',
    );
  }
  const { stderr, stdout } = await runCommand('java', ['-version'], { timeoutMs: 30_000 });
  // `java -version` prints e.g. `openjdk version "17.0.15"` (or `"1.8.0_392"` for Java 8).
  const match = /version "(?:1\.)?(\d+)/.exec(stderr + stdout);
  if (match && Number(match[1]) < 17) {
    throw new Error(`Kafka 4 needs Java 17 or newer; \`java\` on PATH is Java ${match[1]}`);
  }
}

interface Listeners {
  host: string;
  port: number;
  controllerPort: number;
}

function writeConfig({ host, port, controllerPort }: Listeners): void {
  fs.mkdirSync(KAFKA_DIR, { recursive: true });
  // One process is both broker and KRaft controller. The controller is found through
  // controller.quorum.bootstrap.servers: the static controller.quorum.voters setting
  // cannot be combined with `StorageTool format --standalone`.
  const props = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': `${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': DATA_DIR,
    'num.partitions': 3,
    // A single node cannot hold more than one replica of the internal topics.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // Topics are part of the contract: they are created explicitly, never by a typo.
    'auto.create.topics.enable': false,
    // Tests start consumers constantly; the default 3 s delay would slow every join.
    'group.initial.rebalance.delay.ms': 0,
  };
  const text = Object.entries(props)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  fs.writeFileSync(
    PROPS_FILE,
    `# Written by scripts/infra/kafka.ts on every start; edit the script, not this file.\n${text}\n`,
  );

  // Kafka 4 logs through log4j2. Everything goes to a size-capped file so the terminal that
  // ran `up` stays quiet and a long-lived dev broker cannot fill the disk.
  const log4j = [
    'status = warn',
    // Kafka logs its own orderly shutdown after SIGTERM; log4j's shutdown hook would close
    // the file first and send those last lines to the JVM's stdout instead.
    'shutdownHook = disable',
    'appender.broker.type = RollingFile',
    'appender.broker.name = broker',
    `appender.broker.fileName = ${BROKER_LOG}`,
    `appender.broker.filePattern = ${BROKER_LOG}.%i`,
    'appender.broker.layout.type = PatternLayout',
    'appender.broker.layout.pattern = [%d] %p %m (%c)%n',
    'appender.broker.policies.type = Policies',
    'appender.broker.policies.size.type = SizeBasedTriggeringPolicy',
    'appender.broker.policies.size.size = 20MB',
    'appender.broker.strategy.type = DefaultRolloverStrategy',
    'appender.broker.strategy.max = 3',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.broker.ref = broker',
  ];
  fs.writeFileSync(LOG4J_FILE, `${log4j.join('\n')}\n`);
}

function kafkaClasspath(): string {
  // The JVM expands `dir/*` itself, so no shell is needed.
  return `${LIB_DIR}${path.sep}*`;
}

/**
 * Formats the KRaft storage once. The controller's address is written into the formatted
 * metadata, so a data dir formatted for other ports would not start; we detect that instead
 * of letting the broker fail obscurely.
 */
async function formatStorage(listeners: Listeners): Promise<void> {
  const wanted = JSON.stringify(listeners);
  if (fs.existsSync(path.join(DATA_DIR, 'meta.properties'))) {
    const formattedFor = fs.existsSync(FORMAT_STAMP)
      ? fs.readFileSync(FORMAT_STAMP, 'utf8').trim()
      : wanted;
    if (formattedFor !== wanted) {
      throw new Error(
        `${path.relative(REPO_ROOT, DATA_DIR)} was formatted for ${formattedFor}, not ${wanted}; ` +
          'remove .infra/kafka/data to start with a fresh broker on the new address',
      );
    }
    return;
  }
  // Without meta.properties a previous format never finished: nothing there is worth keeping.
  fs.rmSync(DATA_DIR, { recursive: true, force: true });

  const java = (args: string[]) =>
    runCommand('java', ['-cp', kafkaClasspath(), 'kafka.tools.StorageTool', ...args], {
      timeoutMs: 120_000,
    });
  const uuid = await java(['random-uuid']);
  const clusterId = uuid.stdout.trim().split('\n').pop();
  if (uuid.code !== 0 || !clusterId) {
    throw new Error(`StorageTool random-uuid failed: ${(uuid.stderr || uuid.stdout).trim()}`);
  }
  const format = await java(['format', '-t', clusterId, '-c', PROPS_FILE, '--standalone']);
  if (format.code !== 0) {
    throw new Error(`StorageTool format failed: ${(format.stderr || format.stdout).trim()}`);
  }
  fs.writeFileSync(FORMAT_STAMP, `${wanted}\n`);
  log.info(
    `formatted KRaft storage in ${path.relative(REPO_ROOT, DATA_DIR)} (cluster ${clusterId})`,
  );
}

/**
 * Prints what the broker logged, from `marks` (file sizes taken before this start) on, so
 * that a failed start is not explained by an older run's lines.
 */
function printBrokerLogTail(marks = { broker: 0, jvm: 0 }): void {
  log.block(
    `last lines of ${path.relative(REPO_ROOT, BROKER_LOG)}:`,
    tailFile(BROKER_LOG, 40, marks.broker) || '(nothing logged)',
  );
  const jvmOut = tailFile(JVM_OUT, 20, marks.jvm);
  if (jvmOut) log.block(`JVM output (${path.relative(REPO_ROOT, JVM_OUT)}):`, jvmOut);
}

async function startLocalBroker(
  brokers: string[],
  { host, port }: { host: string; port: number },
): Promise<number> {
  await checkJava();
  await resolveJars();
  const listeners = { host, port, controllerPort: port + 1 };
  writeConfig(listeners);
  await formatStorage(listeners);

  const javaOpts = (process.env.KAFKA_JAVA_OPTS || '-Xmx512m').split(/\s+/).filter(Boolean);
  const logMarks = { broker: fileSize(BROKER_LOG), jvm: fileSize(JVM_OUT) };
  const { pid, exitStatus } = spawnDetached({
    command: 'java',
    args: [
      ...javaOpts,
      `-Dlog4j2.configurationFile=${LOG4J_FILE}`,
      '-cp',
      kafkaClasspath(),
      'kafka.Kafka',
      PROPS_FILE,
    ],
    logFile: JVM_OUT,
    pidFile: PID_FILE,
  });
  // Recorded before the readiness wait so that `down` can clean up even if this script is
  // interrupted while waiting.
  await recordStarted('kafka', {
    kind: 'process',
    pidFile: path.relative(REPO_ROOT, PID_FILE),
    match: PROCESS_MATCH,
    pid,
    address: `${host}:${port}`,
  });
  log.info(`started broker (pid ${pid}); log: ${path.relative(REPO_ROOT, BROKER_LOG)}`);

  try {
    await waitUntilReady(brokers, {
      label: `Kafka broker on ${host}:${port}`,
      isDead: () => {
        const exit = exitStatus();
        return (
          exit !== null &&
          `the broker exited during start-up (${exit.signal ?? `exit code ${exit.code}`})`
        );
      },
    });
  } catch (err) {
    printBrokerLogTail(logMarks);
    // A broker that failed to come up is not left behind half-started.
    await stopKafka();
    throw err;
  }
  return pid;
}

// ---------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------

export interface KafkaResult {
  status: 'reused' | 'started';
  detail: string;
  brokers: string[];
}

/**
 * Makes sure a Kafka broker answers at KAFKA_BROKERS. Resolves with what happened.
 * Fast when a broker already runs: one TCP probe and one metadata request.
 */
export async function ensureKafka(): Promise<KafkaResult> {
  const brokers = kafkaBrokers();
  const reused = (): KafkaResult => ({ status: 'reused', detail: reuseNote('kafka'), brokers });
  if (await kafkaAnswers(brokers).catch(() => false)) return reused();

  const { host, port } = parseHostPort(brokers[0], 9092);
  if (!isLoopbackHost(host)) {
    throw new Error(
      `KAFKA_BROKERS points at ${brokers.join(',')}, which does not answer; only a broker on this machine can be started`,
    );
  }

  // Everything below may take minutes; the lock keeps a second `up` from starting a second broker.
  return withLock(
    'kafka',
    async (): Promise<KafkaResult> => {
      // Whoever held the lock before us may just have started one.
      if (await kafkaAnswers(brokers).catch(() => false)) return reused();

      const runningPid = runningPidFromFile(PID_FILE, PROCESS_MATCH);
      if (runningPid !== null) {
        // It may be listening elsewhere (KAFKA_BROKERS changed since it was started): then
        // waiting could only end in a timeout.
        const address = readState().started.kafka?.address;
        if (address && address !== `${host}:${port}`) {
          throw new Error(
            `the broker started by infra:up (pid ${runningPid}) listens on ${address}, not on ` +
              `${host}:${port} from KAFKA_BROKERS; run \`npm run infra:down\` first to move it`,
          );
        }
        // Our broker is alive but not answering yet: it is still starting (or recovering a
        // large log after a crash). Wait for it rather than start a second one on the same port.
        log.info(`broker pid ${runningPid} is running but not answering yet; waiting for it`);
        try {
          await waitUntilReady(brokers, { label: `Kafka broker on ${host}:${port}` });
        } catch (err) {
          printBrokerLogTail();
          throw new Error(`${errorMessage(err)}; stop it with \`npm run infra:down\` and retry`, {
            cause: err,
          });
        }
        return reused();
      }

      if (await probeTcp(host, port, 1000)) {
        throw new Error(
          `${host}:${port} is in use by something that does not answer as a Kafka broker; free the port or set KAFKA_BROKERS`,
        );
      }

      const compose = composeFile();
      if (compose && (await dockerEngineRuns())) {
        log.info(`starting Kafka with docker compose (${path.basename(compose)})`);
        const up = await runCommand('docker', ['compose', '-f', compose, 'up', '-d', 'kafka'], {
          timeoutMs: 15 * 60_000,
        });
        if (up.code !== 0)
          throw new Error(`docker compose up -d kafka failed:\n${(up.stderr || up.stdout).trim()}`);
        await recordStarted('kafka', {
          kind: 'docker-compose',
          composeFile: path.relative(REPO_ROOT, compose),
          service: 'kafka',
        });
        await waitUntilReady(brokers, { label: 'Kafka container' });
        return { status: 'started', detail: 'docker compose service `kafka`', brokers };
      }

      const pid = await startLocalBroker(brokers, { host, port });
      return {
        status: 'started',
        detail: `local KRaft broker from the Apache Kafka jars (pid ${pid})`,
        brokers,
      };
    },
    { log },
  );
}

/**
 * Stops the broker only if these scripts started it (per .infra/state.json). Data is kept.
 */
export async function stopKafka(): Promise<StopOutcome | 'not-ours'> {
  const entry = readState().started.kafka;
  if (!entry) return 'not-ours';
  let outcome: StopOutcome;
  if (entry.kind === 'docker-compose' && entry.composeFile && entry.service) {
    const res = await runCommand(
      'docker',
      ['compose', '-f', path.join(REPO_ROOT, entry.composeFile), 'stop', entry.service],
      { timeoutMs: 120_000 },
    );
    if (res.code !== 0)
      throw new Error(
        `docker compose stop ${entry.service} failed:\n${(res.stderr || res.stdout).trim()}`,
      );
    outcome = 'stopped';
  } else {
    outcome = await stopByPidfile(path.join(REPO_ROOT, entry.pidFile ?? ''), {
      match: entry.match,
      graceMs: STOP_GRACE_MS,
    });
  }
  await forgetStarted('kafka');
  return outcome;
}

/**
 * Deletes every topic whose name starts with `prefix` (a test or bench stack's
 * `KAFKA_TOPIC_PREFIX`, ADR 0034) and waits until the broker no longer lists them, so the
 * stack's services create them empty when they start. Resolves with the names deleted.
 */
export async function deleteTopicsWithPrefix(prefix: string): Promise<string[]> {
  if (!/^[A-Za-z0-9_-]+[.]$/.test(prefix)) {
    throw new Error(`refusing to delete the topics of prefix "${prefix}": expected e.g. "e2e1."`);
  }
  const brokers = kafkaBrokers();
  return withProbeAdmin(
    brokers,
    async (admin) => {
      const ours = (await admin.listTopics()).filter((name) => name.startsWith(prefix));
      if (ours.length === 0) return ours;
      await admin.deleteTopics({ topics: ours, timeout: 30_000 });
      await waitFor(
        async () => !(await admin.listTopics()).some((name) => name.startsWith(prefix)),
        { timeoutMs: 30_000, intervalMs: 200, label: `deletion of the ${prefix}* topics`, log },
      );
      return ours;
    },
    { retries: 3 },
  );
}
