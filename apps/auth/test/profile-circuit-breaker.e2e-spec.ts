/**
 * auth → profile calls go through a circuit breaker (ARCHITECTURE.md, "Cross-service
 * rules"; ADR 0026). An auth instance of its own talks to a profile that hangs (a listener
 * that accepts connections and never answers, as a stuck host does): registrations wait out
 * the gRPC deadline until the circuit opens, then fail at once with the contract's
 * UNAVAILABLE (HTTP 503 `COMMON.UNAVAILABLE`, gRPC UNAVAILABLE). A real profile instance
 * then takes that address; after the reset timeout the circuit lets one trial call through
 * (half-open), which succeeds and closes it, and registration works again.
 */
import { ErrorCodes } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { createServer, type Server, type Socket } from 'node:net';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from '../../../test/e2e/support/extra-service';
import { eventually, grpcClient, unary } from '../../../test/e2e/support/clients';
import { E2E_INSTANCE } from '../../../test/e2e/support/stack';
import { errorCode, failure, newUser } from './helpers';

const PROFILE_GRPC_PORT = spareGrpcPort(24);
const DEADLINE_MS = 2000;
const RESET_MS = 4000;

/** A TCP listener that accepts connections and never says a word. */
async function hungHost(port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The breaker's state as auth's `/metrics` shows it: 0 closed, 1 half-open, 2 open. */
async function circuitState(auth: ExtraService): Promise<number> {
  const text = await (await fetch(`${auth.url}/metrics`)).text();
  const line = /^auth_profile_circuit_state(?:\{[^}]*\})? (\d+)$/m.exec(text);
  if (!line) throw new Error('auth_profile_circuit_state not exported');
  return Number(line[1]);
}

async function register(auth: ExtraService) {
  const started = Date.now();
  const response = await fetch(`${auth.url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(newUser('breaker')),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    ms: Date.now() - started,
  };
}

describe('auth → profile circuit breaker', () => {
  let hung: { close(): Promise<void> } | undefined;
  let auth: ExtraService;
  let profile: ExtraService | undefined;
  let grpcAuth: grpc.Client;

  beforeAll(async () => {
    hung = await hungHost(PROFILE_GRPC_PORT);
    auth = await startExtraService('auth', sparePort(43), {
      GRPC_PORT: String(spareGrpcPort(23)),
      KAFKA_GROUP_ID: `auth-breaker-e2e-${E2E_INSTANCE}`,
      OTEL_SDK_DISABLED: 'true',
      PROFILE_GRPC_URL: `127.0.0.1:${PROFILE_GRPC_PORT}`,
      GRPC_DEADLINE_MS: String(DEADLINE_MS),
      PROFILE_BREAKER_RESET_MS: String(RESET_MS),
    });
    grpcAuth = grpcClient('auth', 'AuthService', `127.0.0.1:${spareGrpcPort(23)}`, {
      internalToken: null,
    });
  });

  afterAll(async () => {
    grpcAuth?.close();
    await hung?.close();
    await auth?.stop();
    await profile?.stop();
  });

  it('opens while profile hangs, fails fast with UNAVAILABLE, and closes once profile is back', async () => {
    expect(await circuitState(auth)).toBe(0);

    // Profile hangs: each registration waits for the deadline, and answers UNAVAILABLE.
    const slow = await Promise.all([register(auth), register(auth), register(auth)]);
    for (const attempt of slow) {
      expect(attempt).toMatchObject({ status: 503, body: { code: ErrorCodes.UNAVAILABLE } });
      expect(attempt.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    }
    expect(await circuitState(auth)).toBe(2);

    // Open: no waiting on profile any more, over HTTP and gRPC alike.
    const fast = await register(auth);
    expect(fast).toMatchObject({ status: 503, body: { code: ErrorCodes.UNAVAILABLE } });
    expect(fast.ms).toBeLessThan(DEADLINE_MS / 2);
    const started = Date.now();
    const refused = await failure(
      unary(grpcAuth, 'register')(newUser('breaker'), new grpc.Metadata()),
    );
    expect(refused.code).toBe(grpc.status.UNAVAILABLE);
    expect(errorCode(refused)).toBe(ErrorCodes.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(DEADLINE_MS / 2);

    // A real profile instance takes over the address.
    await hung!.close();
    hung = undefined;
    profile = await startExtraService('profile', sparePort(44), {
      GRPC_PORT: String(PROFILE_GRPC_PORT),
      OTEL_SDK_DISABLED: 'true',
    });

    // After the reset timeout the circuit is half-open and the next call is its trial: a
    // failed trial (auth's channel may still be reconnecting) opens it again for another
    // reset timeout; a successful one closes it.
    let trial: Awaited<ReturnType<typeof register>> | undefined;
    for (let round = 0; round < 5 && trial?.status !== 200; round += 1) {
      await eventually(async () => ((await circuitState(auth)) === 1 ? true : undefined), 20_000);
      trial = await register(auth);
      if (trial.status !== 200) {
        expect(trial).toMatchObject({ status: 503, body: { code: ErrorCodes.UNAVAILABLE } });
        expect(await circuitState(auth)).toBe(2);
      }
    }
    expect(trial?.status).toBe(200);
    expect(trial?.body).toHaveProperty('accessToken');
    expect(await circuitState(auth)).toBe(0);

    // Closed again: registrations keep working.
    const after = await Promise.all([register(auth), register(auth)]);
    expect(after.map((attempt) => attempt.status)).toEqual([200, 200]);
    expect(await circuitState(auth)).toBe(0);
  });
});
