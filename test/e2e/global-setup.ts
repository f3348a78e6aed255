import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { startE2eGateway } from './support/gateway';
import { E2E_INSTANCE, serviceEnv, ServiceName, stack, testDatabase } from './support/stack';

const ROOT = join(__dirname, '..', '..');
const LOG_DIR = join(ROOT, '.infra', 'e2e-logs', String(E2E_INSTANCE));
/** Instance 0 uses the ordinary build; others build apart so parallel runs do not collide. */
const BUILD_DIR = E2E_INSTANCE === 0 ? 'dist' : join('.infra', `e2e-dist-${E2E_INSTANCE}`);
/** Start order: auth first (others fetch its JWKS), profile before auth's saga needs it. */
const SERVICES: ServiceName[] = ['profile', 'auth', 'friends', 'messenger'];
const READY_TIMEOUT_MS = 90_000;

declare global {
  var __E2E_SERVICES__: ChildProcess[] | undefined;
}

const say = (line: string) => process.stdout.write(`[e2e] ${line}\n`);

function runScript(script: string, env: Record<string, string> = {}): void {
  execFileSync(process.execPath, [join(ROOT, script)], {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
}

/** Fresh `<svc>_test` databases: every run starts from the migrations, not from leftovers. */
async function resetDatabases(): Promise<void> {
  const admin = new Client({
    connectionString:
      process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await admin.connect();
  try {
    for (const service of SERVICES) {
      const name = testDatabase(service);
      // The name says "test": this never drops a database a user keeps data in.
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await admin.end();
  }
}

function start(service: ServiceName): ChildProcess {
  const log = createWriteStream(join(LOG_DIR, `${service}.log`));
  const child = spawn(
    process.execPath,
    [join(ROOT, BUILD_DIR, 'apps', service, 'src', 'main.js')],
    {
      cwd: ROOT,
      env: { ...process.env, ...serviceEnv(service) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

async function waitReady(service: ServiceName, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${stack[service].http}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = readFileSync(join(LOG_DIR, `${service}.log`), 'utf8')
    .split('\n')
    .slice(-40)
    .join('\n');
  throw new Error(
    `${service} did not become ready (exit code ${child.exitCode}). Last log lines:\n${tail}`,
  );
}

/** Services that consume events (auth only produces). */
const CONSUMERS: ServiceName[] = ['profile', 'friends', 'messenger'];

/**
 * Services report ready before their consumer has joined its group (a rejoin can wait
 * for a departed member's session to expire). Specs that wait for an event should not
 * spend their own timeout on that, so the suite starts once every group is stable.
 */
async function waitForConsumerGroups(): Promise<void> {
  const admin = new Kafka({
    clientId: 'e2e-setup',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const groupIds = CONSUMERS.map((service) => serviceEnv(service).KAFKA_GROUP_ID);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const { groups } = await admin.describeGroups(groupIds);
      const waiting = groups.filter((g) => g.state !== 'Stable' || g.members.length === 0);
      if (waiting.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `consumer groups not stable: ${waiting.map((g) => `${g.groupId}=${g.state}`).join(', ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}

export default async function globalSetup(): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  say('infrastructure (PostgreSQL, Kafka, Redis)…');
  runScript('scripts/infra/up.mjs');
  if (process.env.E2E_SKIP_BUILD !== '1') {
    say('building the services…');
    runScript('scripts/build.mjs', { BUILD_OUT_DIR: BUILD_DIR });
  }
  say('resetting the test databases…');
  await resetDatabases();
  const children: ChildProcess[] = [];
  globalThis.__E2E_SERVICES__ = children;
  for (const service of SERVICES) {
    const started = Date.now();
    const child = start(service);
    children.push(child);
    await waitReady(service, child);
    say(
      `${service} ready in ${Date.now() - started} ms (logs: .infra/e2e-logs/${E2E_INSTANCE}/${service}.log)`,
    );
  }
  const joining = Date.now();
  await waitForConsumerGroups();
  say(`consumer groups stable in ${Date.now() - joining} ms`);
  // The public origin in front of those services (installs NGINX when it can). It serves
  // the web client this run built (scripts/build.mjs bundles it into <BUILD_DIR>/web);
  // GATEWAY_WEB_ROOT is the gateway's one setting for that folder.
  process.env.GATEWAY_WEB_ROOT = join(ROOT, BUILD_DIR, 'web');
  say(startE2eGateway());
}
