// `npm run up`: from a fresh clone to four running services behind the gateway
// (scripts/runtime.mjs has installed the npm packages and the pinned Node by now). Starts
// whatever of PostgreSQL / Kafka / Redis is not reachable, builds, starts each service of
// the `up` profile (scripts/stack/profiles.ts) as its own detached process (each applies
// its migrations at start), waits for every /health/ready, starts the gateway (NGINX,
// installed with apt-get when missing and possible) and prints the URLs. `npm run down`
// stops what this started.
import path from 'node:path';
import {
  type StackProfile,
  GatewayUnavailableError,
  INTERNAL_API_TOKEN_FILE,
  REPO_ROOT,
  START_ORDER,
  buildInto,
  createLogger,
  infraUp,
  localInternalApiToken,
  profiles,
  runCli,
  runningDetached,
  servicePaths,
  stackUrls,
  startService,
  startStackGateway,
  waitReady,
} from './stack';

const log = createLogger('up');

type GatewayOutcome = { url: string; exporterUrl: string | null } | { unavailable: string };

/** Starts the gateway in front of the services; without NGINX here, says why and goes on. */
async function upGateway(profile: StackProfile): Promise<GatewayOutcome> {
  try {
    const gateway = await startStackGateway(profile);
    log.info(
      `gateway ${gateway.status} (web client from ${path.relative(REPO_ROOT, gateway.webRoot)})`,
    );
    return { url: `http://localhost:${profile.gateway!.port}`, exporterUrl: gateway.exporterUrl };
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    log.warn(`the gateway is not running: ${error.message}`);
    return { unavailable: error.message };
  }
}

function printUrls(profile: StackProfile, gateway: GatewayOutcome): void {
  const urls = stackUrls(profile);
  const rows: [string, string, string][] = [];
  if ('url' in gateway) {
    rows.push(
      ['gateway', 'web client and every API below (one origin)', gateway.url],
      ['gateway', 'Swagger UI of auth / friends', `${gateway.url}/docs/auth/  /docs/friends/`],
    );
    if (gateway.exporterUrl)
      rows.push(['gateway', 'metrics (nginx exporter)', gateway.exporterUrl]);
  }
  rows.push(
    ['auth', 'gRPC auth.v1.AuthService', urls.auth.grpc],
    ['auth', 'JWKS', `${urls.auth.http}/.well-known/jwks.json`],
    ['profile', 'GraphQL (+ GraphiQL, its IDE)', `${urls.profile.http}/graphql`],
    ['profile', 'gRPC profile.v1.ProfileService', urls.profile.grpc],
    ['friends', 'REST', `${urls.friends.http}/v1/friends`],
    ['friends', 'Swagger UI', `${urls.friends.http}/docs`],
    ['friends', 'gRPC friends.v1.FriendsService', urls.friends.grpc],
    ['messenger', 'socket.io', urls.messenger.http.replace(/^http/, 'ws')],
  );
  for (const service of START_ORDER) {
    const http = urls[service].http;
    rows.push([service, 'health / metrics', `${http}/health/ready  ${http}/metrics`]);
  }
  const width = Math.max(...rows.map((r) => r[1].length));
  process.stdout.write('\nThe messenger platform is up:\n\n');
  if ('unavailable' in gateway) {
    process.stdout.write(`  gateway    NOT RUNNING: ${gateway.unavailable}\n\n`);
  }
  for (const [service, what, url] of rows) {
    process.stdout.write(`  ${service.padEnd(10)} ${what.padEnd(width)}  ${url}\n`);
  }
  const tokenFile = path.relative(REPO_ROOT, INTERNAL_API_TOKEN_FILE);
  process.stdout.write(
    `\nInternal gRPC (profile, friends, auth's ValidateToken) wants the credential in ${tokenFile}:\n` +
      `  grpcurl -plaintext -H "x-internal-token: $(cat ${tokenFile})" -d '{"userId":"<uuid>"}' \\\n` +
      `    ${urls.friends.grpc} friends.v1.FriendsService/ListFriendIds\n`,
  );
  process.stdout.write(
    `\nLogs: ${path.relative(REPO_ROOT, profile.logDir)}/<service>.log, ` +
      `.infra/gateway/${profile.gateway!.name}/{access,error}.log — stop everything with \`npm run down\`.\n`,
  );
}

runCli(async () => {
  // One service credential for every process: servers demand it, clients send it.
  const profile = profiles.up(localInternalApiToken());
  await infraUp({ databases: Object.values(profile.databases) });
  log.info('building the services…');
  buildInto(profile.buildDir);
  for (const service of START_ORDER) {
    const { logFile } = servicePaths(profile, service);
    const port = profile.ports[service].http;
    const pid = runningDetached(profile, service);
    if (pid !== null) {
      log.info(`${service} already running (restart with \`npm run down\` first)`);
      await waitReady({ name: service, exitStatus: () => null, logFile }, port, { log });
      continue;
    }
    const running = startService(profile, service, { detached: true, appendLog: true });
    await waitReady(running, port, { log });
    log.info(`${service} ready`);
  }
  printUrls(profile, await upGateway(profile));
});
