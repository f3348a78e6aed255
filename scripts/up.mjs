// `npm run up`: from a fresh clone to four running services. Installs npm packages when
// missing, starts whatever of PostgreSQL / Kafka / Redis is not reachable, builds, starts
// each service as its own process (each applies its migrations at start), waits for every
// /health/ready and prints the URLs. `npm run down` stops what this started.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled } from './ensure-install.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureInstalled();

// Imported only now: these need the packages installed above.
const { infraUp, SERVICE_DATABASES } = await import('./infra/index.mjs');
const { createLogger, runningPidFromFile, spawnDetached, waitFor, runCli } =
  await import('./infra/lib.mjs');
const { SERVICES, servicePaths } = await import('./services.mjs');
const log = createLogger('up');

async function waitReady(service, exitStatus) {
  const url = `http://127.0.0.1:${service.http}/health/ready`;
  await waitFor(
    async () => {
      const exited = exitStatus?.();
      if (exited) throw new Error(`${service.name} exited (code ${exited.code})`);
      const response = await fetch(url).catch(() => undefined);
      return response?.ok === true;
    },
    { timeoutMs: 90_000, intervalMs: 300, label: `${service.name} ready`, log },
  );
}

function printUrls() {
  const rows = [
    ['auth', 'gRPC auth.v1.AuthService', '127.0.0.1:50051'],
    ['auth', 'JWKS', 'http://127.0.0.1:3001/.well-known/jwks.json'],
    ['profile', 'GraphQL (+ Apollo Sandbox)', 'http://127.0.0.1:3002/graphql'],
    ['profile', 'gRPC profile.v1.ProfileService', '127.0.0.1:50052'],
    ['friends', 'REST', 'http://127.0.0.1:3003/v1/friends'],
    ['friends', 'Swagger UI', 'http://127.0.0.1:3003/docs'],
    ['friends', 'gRPC friends.v1.FriendsService', '127.0.0.1:50053'],
    ['messenger', 'socket.io', 'ws://127.0.0.1:3004'],
  ];
  for (const s of SERVICES) {
    rows.push([s.name, 'health / metrics', `http://127.0.0.1:${s.http}/health/ready  /metrics`]);
  }
  const width = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write('\nThe messenger platform is up:\n\n');
  for (const [service, what, url] of rows) {
    process.stdout.write(`  ${service.padEnd(10)} ${what.padEnd(width)}  ${url}\n`);
  }
  process.stdout.write(
    '\nLogs: .infra/services/<service>.log — stop everything with `npm run down`.\n',
  );
}

runCli(async () => {
  await infraUp({ databases: SERVICE_DATABASES });
  log.info('building the services…');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  for (const service of SERVICES) {
    const { entry, pidFile, logFile } = servicePaths(service.name);
    if (runningPidFromFile(pidFile, entry)) {
      log.info(`${service.name} already running (restart with \`npm run down\` first)`);
      await waitReady(service);
      continue;
    }
    const { exitStatus } = spawnDetached({
      command: process.execPath,
      args: [entry],
      logFile,
      pidFile,
      env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' },
    });
    await waitReady(service, exitStatus);
    log.info(`${service.name} ready`);
  }
  printUrls();
});
