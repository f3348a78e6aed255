// `npm run up`: from a fresh clone to four running services behind the gateway. Installs
// npm packages when missing, starts whatever of PostgreSQL / Kafka / Redis is not
// reachable, builds, starts each service as its own process (each applies its migrations
// at start), waits for every /health/ready, starts the gateway (NGINX, installed with
// apt-get when missing and possible) and prints the URLs. `npm run down` stops what this
// started.
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
const { SERVICES, servicePaths, internalApiToken, INTERNAL_API_TOKEN_FILE } =
  await import('./services.mjs');
const { GatewayUnavailableError, startGateway } = await import('./infra/gateway.mjs');
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

/** The gateway's port (default 8080); its internal status server listens on the next one. */
const GATEWAY_PORT = Number(process.env.GATEWAY_PORT ?? 8080);

/** Starts the gateway in front of the services; without NGINX here, says why and goes on. */
async function upGateway(internalToken) {
  try {
    const gateway = await startGateway({
      name: 'local',
      listen: String(GATEWAY_PORT),
      statusListen: `127.0.0.1:${GATEWAY_PORT + 1}`,
      exporterListen: '127.0.0.1:9113',
      upstreams: Object.fromEntries(SERVICES.map((s) => [s.name, `127.0.0.1:${s.http}`])),
      internalToken,
      // A web dev server on this machine may call the APIs across origins.
      corsOrigins: '^https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?$',
    });
    log.info(`gateway ${gateway.status} (web client from ${path.relative(ROOT, gateway.webRoot)})`);
    return { url: `http://localhost:${GATEWAY_PORT}`, exporterUrl: gateway.exporterUrl };
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    log.warn(`the gateway is not running: ${error.message}`);
    return { unavailable: error.message };
  }
}

function printUrls(gateway) {
  const rows = [];
  if (gateway.url) {
    rows.push(
      ['gateway', 'web client and every API below (one origin)', gateway.url],
      ['gateway', 'Swagger UI of auth / friends', `${gateway.url}/docs/auth/  /docs/friends/`],
    );
    if (gateway.exporterUrl)
      rows.push(['gateway', 'metrics (nginx exporter)', gateway.exporterUrl]);
  }
  rows.push(
    ['auth', 'gRPC auth.v1.AuthService', '127.0.0.1:50051'],
    ['auth', 'JWKS', 'http://127.0.0.1:3001/.well-known/jwks.json'],
    ['profile', 'GraphQL (+ GraphiQL, its IDE)', 'http://127.0.0.1:3002/graphql'],
    ['profile', 'gRPC profile.v1.ProfileService', '127.0.0.1:50052'],
    ['friends', 'REST', 'http://127.0.0.1:3003/v1/friends'],
    ['friends', 'Swagger UI', 'http://127.0.0.1:3003/docs'],
    ['friends', 'gRPC friends.v1.FriendsService', '127.0.0.1:50053'],
    ['messenger', 'socket.io', 'ws://127.0.0.1:3004'],
  );
  for (const s of SERVICES) {
    rows.push([s.name, 'health / metrics', `http://127.0.0.1:${s.http}/health/ready  /metrics`]);
  }
  const width = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write('\nThe messenger platform is up:\n\n');
  if (gateway.unavailable) {
    process.stdout.write(`  gateway    NOT RUNNING: ${gateway.unavailable}\n\n`);
  }
  for (const [service, what, url] of rows) {
    process.stdout.write(`  ${service.padEnd(10)} ${what.padEnd(width)}  ${url}\n`);
  }
  const tokenFile = path.relative(ROOT, INTERNAL_API_TOKEN_FILE);
  process.stdout.write(
    `\nInternal gRPC (profile, friends, auth's ValidateToken) wants the credential in ${tokenFile}:\n` +
      `  grpcurl -plaintext -H "x-internal-token: $(cat ${tokenFile})" -d '{"userId":"<uuid>"}' \\\n` +
      '    127.0.0.1:50053 friends.v1.FriendsService/ListFriendIds\n',
  );
  process.stdout.write(
    '\nLogs: .infra/services/<service>.log, .infra/gateway/local/{access,error}.log — ' +
      'stop everything with `npm run down`.\n',
  );
}

runCli(async () => {
  await infraUp({ databases: SERVICE_DATABASES });
  log.info('building the services…');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  // One service credential for every process: servers demand it, clients send it.
  const INTERNAL_API_TOKEN = internalApiToken();
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
      env: {
        ...process.env,
        NODE_ENV: process.env.NODE_ENV ?? 'development',
        INTERNAL_API_TOKEN,
      },
    });
    await waitReady(service, exitStatus);
    log.info(`${service.name} ready`);
  }
  printUrls(await upGateway(INTERNAL_API_TOKEN));
});
