/**
 * Issue 15, item 9, on gRPC: SIGTERM while auth's gRPC API is under load. Readiness (gRPC
 * health) goes NOT_SERVING first and the server keeps answering through the grace period;
 * a client that stops sending a second after NOT_SERVING, as a load balancer does, has
 * every call answered. graceful-shutdown.e2e-spec.ts shows the same for HTTP.
 */
import { type AuthClient, createAuthClient } from '@app/auth-client';
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from './support/extra-service';
import { healthCheck } from './support/grpc-serving';
import { E2E_INSTANCE } from './support/stack';

const GRPC_ADDRESS = `127.0.0.1:${spareGrpcPort(30)}`;

describe('auth gRPC under load, SIGTERM with the default grace', () => {
  let auth: ExtraService;
  let client: AuthClient;

  beforeAll(async () => {
    auth = await startExtraService('auth', sparePort(38), {
      GRPC_PORT: GRPC_ADDRESS.split(':')[1],
      SHUTDOWN_GRACE_MS: undefined,
      NODE_ENV: 'development',
      REDIS_KEY_PREFIX: `auth-grpc-shutdown-e2e-${E2E_INSTANCE}`,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: '1000000',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
      OTEL_SDK_DISABLED: 'true',
    });
    client = createAuthClient(GRPC_ADDRESS);
  }, 90_000);
  afterAll(async () => {
    client?.close();
    await auth?.kill9();
  });

  it('goes NOT_SERVING first, keeps answering, and answers every call a balancer sent', async () => {
    const health: Array<{ at: number; status: string }> = [];
    let stopped = false;
    const watch = (async () => {
      while (!stopped) {
        const status = await healthCheck(GRPC_ADDRESS, '').then(
          (r) => r.status,
          (error: grpc.ServiceError) => `error ${error.code}`,
        );
        health.push({ at: Date.now(), status });
        if (status !== 'SERVING' && status !== 'NOT_SERVING') return;
        await sleep(50);
      }
    })();
    const unreadyAt = () => health.find((h) => h.status === 'NOT_SERVING')?.at;

    const outcomes: Array<{ startedAt: number; code: grpc.status }> = [];
    const workers = Array.from({ length: 6 }, async () => {
      for (;;) {
        const unready = unreadyAt();
        if (unready !== undefined && Date.now() > unready + 1_000) return;
        const startedAt = Date.now();
        const code = await client
          .login({ email: `nobody-${randomUUID()}@example.test`, password: 'not-the-password-1' })
          .then(
            () => grpc.status.OK,
            (error: grpc.ServiceError) => error.code,
          );
        outcomes.push({ startedAt, code });
      }
    });
    await sleep(500);
    const exited = new Promise<string | null>((resolve) =>
      auth.process.once('exit', (_code, signal) => resolve(signal)),
    );
    const signalledAt = Date.now();
    auth.process.kill('SIGTERM');
    await Promise.all(workers);
    expect(await exited).toBe('SIGTERM');
    stopped = true;
    await watch;

    const unready = unreadyAt();
    expect(unready).toBeDefined();
    expect(unready! - signalledAt).toBeLessThan(1_000);
    // Every call was answered: a wrong password, never cut off.
    expect(outcomes.filter((o) => o.code !== grpc.status.UNAUTHENTICATED)).toEqual([]);
    expect(outcomes.filter((o) => o.startedAt > unready!).length).toBeGreaterThan(5);
  }, 60_000);
});
