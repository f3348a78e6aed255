/**
 * The e2e stack's gateway: Debian's NGINX with the repository's template
 * (infra/gateway/nginx.conf.template), in front of this instance's services, started by
 * the global setup through scripts/infra/gateway.mjs (an ES module, hence a child
 * process) and stopped by the global teardown.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_INSTANCE, E2E_INTERNAL_API_TOKEN, stack } from './stack';

const ROOT = join(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'infra', 'gateway.mjs');
const offset = E2E_INSTANCE * 100;

/** The gateway's name under .infra/gateway/. */
export const GATEWAY_NAME = `e2e-${E2E_INSTANCE}`;

/**
 * Where this stack's gateway listens: the public origin (18080 + 100 × instance), its
 * internal stub_status/healthz server and prometheus-nginx-exporter.
 */
export const gatewayStack = {
  http: `http://127.0.0.1:${18080 + offset}`,
  status: `http://127.0.0.1:${18081 + offset}`,
  exporter: `http://127.0.0.1:${18082 + offset}`,
} as const;

/** The one cross-origin caller the e2e gateway answers CORS for (a web dev server). */
export const E2E_ALLOWED_ORIGIN = 'http://localhost:5173';

/** What the setup found: a running gateway, or why there is none on this machine. */
export type GatewayState =
  | { unavailable?: undefined; url: string; exporterUrl: string | null; accessLog: string }
  | { unavailable: string };

const hostPort = (url: string) => url.replace(/^http:\/\//, '');

/**
 * Whether a missing NGINX must fail the run: on CI, and wherever this process could have
 * installed it (root on Linux) — there, its absence is a broken machine, not a choice. A
 * developer without root may run the rest of the suite; the gateway's specs then skip and
 * say why.
 */
function gatewayRequired(): boolean {
  return Boolean(process.env.CI) || (process.platform === 'linux' && process.getuid?.() === 0);
}

/** Starts (or reuses) the gateway; resolves with a line for the setup's log. */
export function startE2eGateway(): string {
  const port = (url: string) => url.slice(url.lastIndexOf(':') + 1);
  const options = {
    name: GATEWAY_NAME,
    listen: hostPort(gatewayStack.http),
    statusListen: hostPort(gatewayStack.status),
    exporterListen: hostPort(gatewayStack.exporter),
    upstreams: {
      auth: `127.0.0.1:${port(stack.auth.http)}`,
      profile: `127.0.0.1:${port(stack.profile.http)}`,
      friends: `127.0.0.1:${port(stack.friends.http)}`,
      messenger: `127.0.0.1:${port(stack.messenger.http)}`,
    },
    internalToken: E2E_INTERNAL_API_TOKEN,
    corsOrigins: `^${E2E_ALLOWED_ORIGIN.replaceAll('.', '\\.')}$`,
  };
  try {
    execFileSync(process.execPath, [SCRIPT, 'start', JSON.stringify(options)], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  } catch (error) {
    const state = gatewayState();
    if (!state.unavailable) throw error;
    if (gatewayRequired()) {
      throw new Error(
        `The e2e suite needs NGINX for the gateway and it cannot run here: ${state.unavailable}. ` +
          "Install Debian's nginx package (apt-get install nginx prometheus-nginx-exporter).",
        { cause: error },
      );
    }
    return `gateway NOT started, its specs will skip: ${state.unavailable}`;
  }
  return `gateway ready at ${gatewayStack.http} (logs: .infra/gateway/${GATEWAY_NAME}/)`;
}

export function stopE2eGateway(): void {
  execFileSync(process.execPath, [SCRIPT, 'stop', GATEWAY_NAME], { cwd: ROOT, stdio: 'inherit' });
}

/** The state file the start script wrote for this stack's gateway. */
export function gatewayState(): GatewayState {
  const file = join(ROOT, '.infra', 'gateway', GATEWAY_NAME, 'gateway.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as GatewayState;
  } catch {
    return { unavailable: `the e2e setup recorded no gateway (${file} is missing)` };
  }
}
