// The gateway (NGINX) on this machine, for `npm run up` and the e2e stacks: Debian's nginx
// package — installed with apt-get when it is missing and this process may (root) — started
// as the current user with the repository's own configuration, rendered from
// infra/gateway/nginx.conf.template into .infra/gateway/<name>/, with its own pid, log,
// temp and cache paths. The distribution's nginx service, if any, is never touched.
// prometheus-nginx-exporter (also Debian's) runs beside it when installed.
//
// A library: ensureNginx(), startGateway(), stopGateway(), renderGatewayConfig(). Also a
// CLI (`node --import tsx scripts/infra/gateway.ts render '<json values>'` prints the
// rendered config; `start '<json options>'`, `stop <name>`).

import fs from 'node:fs';
import path from 'node:path';
import {
  INFRA_DIR,
  REPO_ROOT,
  WaitAbortedError,
  createLogger,
  findExecutable,
  runCli,
  runCommand,
  runningPidFromFile,
  spawnDetached,
  stopByPidfile,
  tailFile,
  waitFor,
  withLock,
} from './lib';

const log = createLogger('gateway');

export const GATEWAY_DIR = path.join(REPO_ROOT, 'infra', 'gateway');
export const GATEWAY_TEMPLATE = path.join(GATEWAY_DIR, 'nginx.conf.template');
/** What the gateway serves at `/` until the web client is built. */
export const WEB_PLACEHOLDER = path.join(GATEWAY_DIR, 'placeholder');
/** Where a build of apps/web may be, in order of preference (relative to the repository). */
export const WEB_BUILD_DIRS = ['apps/web/dist', 'dist/web'];

/** Modules the template needs; Debian's nginx and the official image build them in. */
const REQUIRED_MODULES = [
  'http_auth_request_module',
  'http_realip_module',
  'http_stub_status_module',
];

/** Thrown when nginx is not installed and cannot be installed here. */
export class GatewayUnavailableError extends Error {}

// ---------------------------------------------------------------------------------------
// The configuration
// ---------------------------------------------------------------------------------------

/**
 * The web client's folder: `GATEWAY_WEB_ROOT` when set (the one setting to point the
 * gateway elsewhere), else the first build of {@link WEB_BUILD_DIRS} that has an
 * index.html, else the placeholder page.
 */
export function webRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATEWAY_WEB_ROOT) return path.resolve(REPO_ROOT, env.GATEWAY_WEB_ROOT);
  for (const dir of WEB_BUILD_DIRS) {
    const candidate = path.join(REPO_ROOT, dir);
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
  }
  return WEB_PLACEHOLDER;
}

/** The `${GATEWAY_*}` names a template uses, sorted. */
export function templatePlaceholders(
  template = fs.readFileSync(GATEWAY_TEMPLATE, 'utf8'),
): string[] {
  return [
    ...new Set([...template.matchAll(/\$\{(GATEWAY_[A-Z0-9_]+)\}/g)].map((m) => m[1])),
  ].sort();
}

/**
 * The template with every `${GATEWAY_*}` replaced, as the nginx image's envsubst step does.
 * Stricter than envsubst: a placeholder without a value, a value no placeholder uses, an
 * unbraced `$GATEWAY_…`, or a value that could break out of its directive (quote,
 * semicolon, line break) is an error rather than a broken config.
 */
export function renderGatewayConfig(
  values: Record<string, string | undefined>,
  template = fs.readFileSync(GATEWAY_TEMPLATE, 'utf8'),
): string {
  const names = templatePlaceholders(template);
  const missing = names.filter((name) => values[name] === undefined || values[name] === '');
  const unused = Object.keys(values).filter((name) => !names.includes(name));
  const unsafe = Object.entries(values)
    .filter(([, value]) => /["\n\r;]/.test(String(value)))
    .map(([name]) => name);
  const problems = [
    missing.length && `no value for ${missing.join(', ')}`,
    unused.length && `not in the template: ${unused.join(', ')}`,
    unsafe.length && `quote, semicolon or line break in ${unsafe.join(', ')}`,
    /\$GATEWAY_/.test(template) && 'unbraced $GATEWAY_ name in the template',
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`gateway config: ${problems.join('; ')}`);
  return template.replace(/\$\{(GATEWAY_[A-Z0-9_]+)\}/g, (_, name: string) => String(values[name]));
}

/** Files of the gateway called `name` ('local' for `npm run up`, 'e2e-<n>' for e2e stacks). */
export function gatewayPaths(name: string) {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad gateway name "${name}"`);
  const dir = path.join(INFRA_DIR, 'gateway', name);
  return {
    dir,
    config: path.join(dir, 'nginx.conf'),
    /** pid, temp files and caches: private, since cache keys are bearer tokens. */
    runtime: path.join(dir, 'run'),
    masterPid: path.join(dir, 'master.pid'),
    errorLog: path.join(dir, 'error.log'),
    accessLog: path.join(dir, 'access.log'),
    exporterPid: path.join(dir, 'exporter.pid'),
    exporterLog: path.join(dir, 'exporter.log'),
    /** What `start` found and started; read by the e2e specs. */
    stateFile: path.join(dir, 'gateway.json'),
  };
}

// ---------------------------------------------------------------------------------------
// Installing
// ---------------------------------------------------------------------------------------

/** nginx lives in /usr/sbin, which a non-root PATH often lacks. */
function findInSbin(name: string): string | null {
  const found = findExecutable(name);
  if (found) return found;
  for (const dir of ['/usr/sbin', '/usr/local/sbin']) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

let aptUpdated = false;

/**
 * Installs Debian packages with apt-get. Resolves null on success, else why it could not
 * (no apt-get, not root, apt-get failed), for the caller's message.
 */
async function aptInstall(packages: string[]): Promise<string | null> {
  if (process.platform !== 'linux') return `apt-get does not exist on ${process.platform}`;
  const aptGet = findInSbin('apt-get');
  if (!aptGet) return 'this machine has no apt-get';
  if (process.getuid?.() !== 0)
    return `installing needs root (sudo apt-get install ${packages.join(' ')})`;
  return withLock(
    'apt',
    async (): Promise<string | null> => {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      // Waits for a dpkg lock held by another apt run instead of failing at once.
      const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
      if (!aptUpdated) {
        log.info('apt-get update…');
        const update = await runCommand(aptGet, [...lockWait, 'update'], {
          env,
          timeoutMs: 600_000,
        });
        if (update.code !== 0)
          return `apt-get update failed: ${update.stderr.trim().split('\n').at(-1)}`;
        aptUpdated = true;
      }
      log.info(`apt-get install ${packages.join(' ')}…`);
      const install = await runCommand(
        aptGet,
        [...lockWait, 'install', '-y', '--no-install-recommends', ...packages],
        { env, timeoutMs: 600_000 },
      );
      return install.code === 0
        ? null
        : `apt-get install failed: ${install.stderr.trim().split('\n').at(-1)}`;
    },
    { log },
  );
}

/**
 * The nginx binary, installed from Debian's package when missing and possible. Throws a
 * {@link GatewayUnavailableError} saying why when there is none, or one without the modules
 * the template needs.
 */
export async function ensureNginx(): Promise<string> {
  let nginx = findInSbin('nginx');
  if (!nginx) {
    const why = await aptInstall(['nginx']);
    nginx = findInSbin('nginx');
    if (!nginx) {
      throw new GatewayUnavailableError(
        `nginx is not installed and was not installed here: ${why ?? 'apt-get installed no nginx binary'}`,
      );
    }
    log.info(`installed ${nginx}`);
  }
  const version = await runCommand(nginx, ['-V']);
  const built = `${version.stdout}${version.stderr}`;
  const lacking = REQUIRED_MODULES.filter((m) => !built.includes(`--with-${m}`));
  if (lacking.length > 0) {
    throw new GatewayUnavailableError(
      `${nginx} is built without ${lacking.join(', ')}; install Debian's nginx package`,
    );
  }
  return nginx;
}

/** The exporter binary, installed when missing and possible; null when neither (it is optional). */
export async function ensureExporter(): Promise<string | null> {
  let exporter = findInSbin('prometheus-nginx-exporter');
  if (!exporter) {
    const why = await aptInstall(['prometheus-nginx-exporter']);
    exporter = findInSbin('prometheus-nginx-exporter');
    if (!exporter) log.warn(`no prometheus-nginx-exporter (${why}); the gateway runs without one`);
  }
  return exporter;
}

// ---------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------

const url = (listen: string) => `http://${listen.includes(':') ? listen : `127.0.0.1:${listen}`}`;

async function answers(target: string): Promise<boolean> {
  const response = await fetch(target, { signal: AbortSignal.timeout(1000) }).catch(
    () => undefined,
  );
  return response?.ok === true;
}

export interface GatewayOptions {
  name: string;
  listen: string;
  statusListen: string;
  exporterListen?: string;
  upstreams: Record<'auth' | 'profile' | 'friends' | 'messenger', string>;
  internalToken: string;
  corsOrigins: string;
  realIpFrom?: string;
  webRoot?: string;
  template?: string;
}

export interface GatewayResult {
  status: 'started' | 'reused' | 'reloaded';
  pid: number;
  url: string;
  statusUrl: string;
  exporterUrl: string | null;
  webRoot: string;
  accessLog: string;
  errorLog: string;
}

/**
 * Starts (or reconfigures) the gateway called `name` and its exporter. Options:
 * - `listen`, `statusListen`, `exporterListen`: `[host:]port` of the public server, the
 *   internal stub_status/healthz server, and the exporter's /metrics;
 * - `upstreams`: `{auth, profile, friends, messenger}` as `host:port` (HTTP ports);
 * - `internalToken`: the service credential auth's edge-authentication route demands;
 * - `corsOrigins`: a regular expression of the origins CORS answers; `realIpFrom`: the
 *   proxy whose X-Forwarded-For is believed (`unix:`, nobody, by default);
 * - `webRoot`: the web client's folder ({@link webRoot} by default);
 * - `template`: the template's text, for a caller that must adjust it (the gateway bench
 *   raises the rate limits); infra/gateway/nginx.conf.template by default.
 * A gateway of that name already running with the same configuration is reused; with
 * another, it reloads (SIGHUP). Resolves with `{ status, url, statusUrl, exporterUrl, … }`.
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayResult> {
  const nginx = await ensureNginx();
  const paths = gatewayPaths(options.name);
  fs.mkdirSync(paths.runtime, { recursive: true, mode: 0o700 });
  fs.chmodSync(paths.runtime, 0o700);
  const config = renderGatewayConfig(
    {
      GATEWAY_LISTEN: options.listen,
      GATEWAY_STATUS_LISTEN: options.statusListen,
      GATEWAY_AUTH_UPSTREAM: options.upstreams.auth,
      GATEWAY_PROFILE_UPSTREAM: options.upstreams.profile,
      GATEWAY_FRIENDS_UPSTREAM: options.upstreams.friends,
      GATEWAY_MESSENGER_UPSTREAM: options.upstreams.messenger,
      GATEWAY_WEB_ROOT: options.webRoot ?? webRoot(),
      GATEWAY_RUNTIME_DIR: paths.runtime,
      GATEWAY_ACCESS_LOG: paths.accessLog,
      GATEWAY_INTERNAL_TOKEN: options.internalToken,
      GATEWAY_CORS_ORIGINS: options.corsOrigins,
      GATEWAY_REAL_IP_FROM: options.realIpFrom ?? 'unix:',
    },
    options.template,
  );
  // Root's workers would otherwise run as `nobody`, locked out of the private runtime
  // directory; any other user's workers run as that user anyway.
  const args = ['-p', `${paths.dir}/`, '-c', paths.config, '-e', 'stderr'];
  if (process.getuid?.() === 0) args.push('-g', 'user root;');

  const previous = fs.existsSync(paths.config) ? fs.readFileSync(paths.config, 'utf8') : null;
  // The rendered file holds the service credential: owner-only, like the token file.
  fs.writeFileSync(paths.config, config, { mode: 0o600 });
  const check = await runCommand(nginx, ['-t', '-q', ...args]);
  if (check.code !== 0) {
    throw new Error(`nginx refused ${path.relative(REPO_ROOT, paths.config)}:\n${check.stderr}`);
  }

  const statusUrl = url(options.statusListen);
  let status: GatewayResult['status'] = 'started';
  let pid = runningPidFromFile(paths.masterPid, paths.config);
  if (pid !== null && previous === config) {
    status = 'reused';
  } else if (pid !== null) {
    process.kill(pid, 'SIGHUP');
    status = 'reloaded';
  } else {
    // A new nginx starts with empty caches: entries of an earlier run may answer for a
    // stack that has since been reset (a JWKS with other keys), and the authentication
    // cache's keys are bearer tokens, which should not outlive the gateway that saw them.
    for (const cache of ['cache_public', 'cache_authn']) {
      fs.rmSync(path.join(paths.runtime, cache), { recursive: true, force: true });
    }
    const started = spawnDetached({
      command: nginx,
      args,
      cwd: paths.dir,
      logFile: paths.errorLog,
      pidFile: paths.masterPid,
    });
    pid = started.pid;
    try {
      await waitFor(
        () => {
          const exit = started.exitStatus();
          if (exit)
            throw new WaitAbortedError(`nginx exited (${exit.signal ?? `code ${exit.code}`})`);
          return answers(`${statusUrl}/healthz`);
        },
        { timeoutMs: 15_000, intervalMs: 100, label: `the gateway on ${options.listen}`, log },
      );
    } catch (error) {
      log.block(
        `last lines of ${path.relative(REPO_ROOT, paths.errorLog)}:`,
        tailFile(paths.errorLog, 20) || '(empty)',
      );
      await stopGateway(options.name);
      throw error;
    }
  }

  const exporterUrl = options.exporterListen
    ? await startExporter(paths, statusUrl, options.exporterListen)
    : null;
  const result: GatewayResult = {
    status,
    pid,
    url: url(options.listen),
    statusUrl,
    exporterUrl,
    webRoot: options.webRoot ?? webRoot(),
    accessLog: paths.accessLog,
    errorLog: paths.errorLog,
  };
  fs.writeFileSync(paths.stateFile, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

async function startExporter(
  paths: ReturnType<typeof gatewayPaths>,
  statusUrl: string,
  listen: string,
): Promise<string | null> {
  const exporter = await ensureExporter();
  if (!exporter) return null;
  const metricsUrl = `${url(listen)}/metrics`;
  const match = `--web.listen-address=${listen}`;
  if (runningPidFromFile(paths.exporterPid, match) === null) {
    // Go's flag package (0.x, Debian 12) and kingpin (1.x) both read `--name=value`.
    const started = spawnDetached({
      command: exporter,
      args: [`--nginx.scrape-uri=${statusUrl}/stub_status`, match],
      cwd: paths.dir,
      logFile: paths.exporterLog,
      pidFile: paths.exporterPid,
    });
    await waitFor(
      () => {
        const exit = started.exitStatus();
        if (exit)
          throw new WaitAbortedError(`the exporter exited: ${tailFile(paths.exporterLog, 5)}`);
        return answers(metricsUrl);
      },
      { timeoutMs: 15_000, intervalMs: 100, label: `prometheus-nginx-exporter on ${listen}`, log },
    );
  }
  return metricsUrl;
}

/** Stops the gateway called `name` and its exporter; resolves with nginx's outcome. */
export async function stopGateway(name: string): Promise<string> {
  const paths = gatewayPaths(name);
  await stopByPidfile(paths.exporterPid, { match: '--web.listen-address=', graceMs: 5_000 });
  // SIGTERM is nginx's fast shutdown: open WebSockets close, as the services' do.
  const outcome = await stopByPidfile(paths.masterPid, { match: paths.config, graceMs: 10_000 });
  fs.rmSync(paths.stateFile, { force: true });
  return outcome;
}

if (require.main === module) {
  runCli(async () => {
    const [command, argument] = process.argv.slice(2);
    if (command === 'start') {
      const options = JSON.parse(argument) as GatewayOptions;
      try {
        const result = await startGateway(options);
        log.info(`gateway ${result.status} at ${result.url} (pid ${result.pid})`);
      } catch (error) {
        // Exit code 3 and the reason in the state file: the e2e setup decides whether a
        // machine without nginx fails the run or skips the gateway's specs.
        if (!(error instanceof GatewayUnavailableError)) throw error;
        const { stateFile } = gatewayPaths(options.name);
        fs.mkdirSync(path.dirname(stateFile), { recursive: true });
        fs.writeFileSync(stateFile, `${JSON.stringify({ unavailable: error.message })}\n`);
        log.error(error.message);
        process.exitCode = 3;
      }
    } else if (command === 'render') {
      // The template with the given values, on stdout (test/repo/gateway.spec.ts).
      process.stdout.write(
        renderGatewayConfig(JSON.parse(argument) as Record<string, string | undefined>),
      );
    } else if (command === 'stop') {
      log.info(`gateway ${argument}: ${await stopGateway(argument)}`);
    } else {
      throw new Error(
        'usage: gateway.ts start <json options> | stop <name> | render <json values>',
      );
    }
  });
}
