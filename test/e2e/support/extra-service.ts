import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './clients';
import { E2E_INSTANCE, serviceEnv, type ServiceName } from './stack';

const ROOT = join(__dirname, '..', '..', '..');
const BUILD_DIR = E2E_INSTANCE === 0 ? 'dist' : join('.infra', `e2e-dist-${E2E_INSTANCE}`);
const LOG_DIR = join(ROOT, '.infra', 'e2e-logs', String(E2E_INSTANCE));

/**
 * A free HTTP port for a process a spec starts itself, apart from the stack's (`n` tells
 * a spec's processes apart; each spec file takes its own range).
 */
export const sparePort = (n: number): number => 13_044 + n + E2E_INSTANCE * 100;

/** The same for a gRPC port, beside the stack's (15051–15053 + 100K). */
export const spareGrpcPort = (n: number): number => 15_064 + n + E2E_INSTANCE * 100;

/** A service process a spec starts itself: another instance of a stack service. */
export interface ExtraService {
  url: string;
  process: ChildProcess;
  /** SIGKILL: the instance dies without closing anything, as in a crash. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (graceful shutdown); a no-op when already dead. */
  stop(): Promise<void>;
}

/**
 * Starts `service` from the build global-setup made, with the stack's environment for it
 * (its database, broker, Redis) and `env` on top — which must move whatever ports the
 * service listens on (`HTTP_PORT` at `port`, plus `GRPC_PORT` where it serves gRPC). A
 * variable set to `undefined` is removed, so the service falls back to its default.
 * Resolves once `/health/ready` answers 200; logs go to `.infra/e2e-logs/<K>/`.
 */
export async function startExtraService(
  service: ServiceName,
  port: number,
  env: Record<string, string | undefined> = {},
): Promise<ExtraService> {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(join(LOG_DIR, `${service}-${port}.log`));
  const child = spawn(
    process.execPath,
    [join(ROOT, BUILD_DIR, 'apps', service, 'src', 'main.js')],
    {
      cwd: ROOT,
      // spawn leaves out a variable whose value is undefined.
      env: { ...process.env, ...serviceEnv(service), HTTP_PORT: String(port), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  await eventually(async () => {
    if (child.exitCode !== null)
      throw new Error(`${service} on ${port} exited (${child.exitCode})`);
    const response = await fetch(`${url}/health/ready`);
    return response.ok ? true : undefined;
  }, 60_000);
  return { url, process: child, kill9: () => stopWith('SIGKILL'), stop: () => stopWith('SIGTERM') };
}
