/**
 * The e2e stack's gateway: Debian's NGINX with the repository's template
 * (infra/gateway/nginx.conf.template), in front of this instance's services, started by
 * the global setup through the orchestrator (scripts/stack/gateway.ts) and stopped by the
 * global teardown.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  GatewayUnavailableError,
  gatewayPaths,
  REPO_ROOT,
  startStackGateway,
  stopStackGateway,
} from '../../../scripts/stack';
import { e2eProfile } from './stack';

const gateway = e2eProfile.gateway;

/** The gateway's name under .infra/gateway/. */
export const GATEWAY_NAME = gateway.name;

/**
 * Where this stack's gateway listens: the public origin (18080 + 100 × instance), its
 * internal stub_status/healthz server and prometheus-nginx-exporter.
 */
export const gatewayStack = {
  http: `http://127.0.0.1:${gateway.port}`,
  status: `http://127.0.0.1:${gateway.statusPort}`,
  exporter: `http://127.0.0.1:${gateway.exporterPort}`,
} as const;

/** The one cross-origin caller the e2e gateway answers CORS for (a web dev server). */
export const E2E_ALLOWED_ORIGIN = 'http://localhost:5173';

/** What the setup found: a running gateway, or why there is none on this machine. */
export type GatewayState =
  | { unavailable?: undefined; url: string; exporterUrl: string | null; accessLog: string }
  | { unavailable: string };

/**
 * Whether a missing NGINX must fail the run: on CI, and wherever this process could have
 * installed it (root on Linux) — there, its absence is a broken machine, not a choice. A
 * developer without root may run the rest of the suite; the gateway's specs then skip and
 * say why.
 */
function gatewayRequired(): boolean {
  return Boolean(process.env.CI) || (process.platform === 'linux' && process.getuid?.() === 0);
}

/**
 * Starts (or reuses) the gateway in front of the build's web client (`webRoot`); resolves
 * with a line for the setup's log.
 */
export async function startE2eGateway(webRoot: string): Promise<string> {
  try {
    await startStackGateway(e2eProfile, { webRoot });
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
    // The reason in the state file: the gateway's specs skip and say why.
    const { stateFile } = gatewayPaths(GATEWAY_NAME);
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, `${JSON.stringify({ unavailable: error.message })}\n`);
    if (gatewayRequired()) {
      throw new Error(
        `The e2e suite needs NGINX for the gateway and it cannot run here: ${error.message}. ` +
          "Install Debian's nginx package (apt-get install nginx prometheus-nginx-exporter).",
        { cause: error },
      );
    }
    return `gateway NOT started, its specs will skip: ${error.message}`;
  }
  return `gateway ready at ${gatewayStack.http} (logs: .infra/gateway/${GATEWAY_NAME}/)`;
}

export async function stopE2eGateway(): Promise<void> {
  await stopStackGateway(e2eProfile);
}

/** The state file the start wrote for this stack's gateway. */
export function gatewayState(): GatewayState {
  const file = join(REPO_ROOT, '.infra', 'gateway', GATEWAY_NAME, 'gateway.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as GatewayState;
  } catch {
    return { unavailable: `the e2e setup recorded no gateway (${file} is missing)` };
  }
}
