import type { ChildProcess } from 'node:child_process';
import { type EnvOverrides, silentLogger, startService, waitReady } from '../../../scripts/stack';
import { E2E_INSTANCE, e2eProfile, type ServiceName } from './stack';

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
 * (its database, broker, Redis; the orchestrator's e2e profile) and `env` on top — which
 * must move whatever ports the service listens on (`HTTP_PORT` at `port`, plus `GRPC_PORT`
 * where it serves gRPC). A variable set to `undefined` is removed, so the service falls
 * back to its default. Resolves once `/health/ready` answers 200; logs go to
 * `.infra/e2e-logs/<K>/<service>-<port>.log`.
 */
export async function startExtraService<S extends ServiceName>(
  service: S,
  port: number,
  env: EnvOverrides<S> = {},
): Promise<ExtraService> {
  const running = startService(e2eProfile, service, {
    name: `${service}-${port}`,
    env: { HTTP_PORT: String(port), ...env },
  });
  await waitReady(running, port, { timeoutMs: 60_000, log: silentLogger });
  const child = running.child!;
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    kill9: () => running.stop('SIGKILL'),
    stop: () => running.stop('SIGTERM'),
  };
}
