/**
 * Issue 15, item 1: internal gRPC fails closed (ADR 0015). A service started without a
 * service credential (`INTERNAL_API_TOKEN` unset) still starts — health, metrics and its
 * public API stay up — but refuses every internal call, whatever credential the caller
 * presents, and says so in its log at start. internal-grpc.e2e-spec.ts covers the stack's
 * services, which have the credential; this spec starts a profile of its own without it.
 */
import { ErrorCodes } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { grpcClient, unary } from './support/clients';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from './support/extra-service';
import { healthCheck } from './support/grpc-serving';
import { E2E_INSTANCE, E2E_INTERNAL_API_TOKEN, serviceEnv } from './support/stack';

const HTTP_PORT = sparePort(35);
const GRPC_ADDRESS = `127.0.0.1:${spareGrpcPort(27)}`;

const RPCS: Array<[string, () => unknown]> = [
  ['getProfiles', () => ({ ids: [randomUUID()] })],
  ['reserveNickname', () => ({ userId: randomUUID(), nickname: `fc_${randomUUID().slice(0, 8)}` })],
  ['releaseNickname', () => ({ userId: randomUUID() })],
];

/** Who calls: a service holding the stack's credential, an outsider, a guesser. */
const CALLERS: Array<[string, string | null]> = [
  ['the stack’s credential', E2E_INTERNAL_API_TOKEN],
  ['no credential', null],
  ['a guessed credential', 'a-guess-that-is-long-enough-to-look-real-0123'],
];

describe('profile without a service credential', () => {
  let profile: ExtraService;
  const clients: grpc.Client[] = [];

  beforeAll(async () => {
    profile = await startExtraService('profile', HTTP_PORT, {
      INTERNAL_API_TOKEN: undefined,
      GRPC_PORT: GRPC_ADDRESS.split(':')[1],
      // A consumer group of its own, as in hostile-input.e2e-spec.ts, so the stack's
      // profile does not rebalance.
      KAFKA_GROUP_ID: `${serviceEnv('profile').KAFKA_GROUP_ID}-no-credential`,
      OTEL_SDK_DISABLED: 'true',
      SHUTDOWN_GRACE_MS: '0',
    });
  }, 90_000);

  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await profile?.stop();
  });

  it('starts and is ready, serving gRPC health and its GraphQL API', async () => {
    expect((await fetch(`${profile.url}/health/ready`)).status).toBe(200);
    await expect(healthCheck(GRPC_ADDRESS, '')).resolves.toEqual({ status: 'SERVING' });
    const graphql = await fetch(`${profile.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(graphql.status).toBe(200);
  });

  it.each(CALLERS)('refuses every internal RPC to a caller with %s', async (_who, token) => {
    const client = grpcClient('profile', 'ProfileService', GRPC_ADDRESS, { internalToken: token });
    clients.push(client);
    for (const [method, request] of RPCS) {
      let refused: grpc.ServiceError | undefined;
      await unary(
        client,
        method,
      )(request()).catch((error: grpc.ServiceError) => {
        refused = error;
      });
      expect({ method, code: refused?.code }).toEqual({
        method,
        code: grpc.status.UNAUTHENTICATED,
      });
      expect(refused?.metadata.get('x-error-code')).toEqual([ErrorCodes.UNAUTHENTICATED]);
    }
  });

  it('says at start that every internal method refuses every call', () => {
    const log = readFileSync(
      join(
        __dirname,
        '..',
        '..',
        '.infra',
        'e2e-logs',
        String(E2E_INSTANCE),
        `profile-${HTTP_PORT}.log`,
      ),
      'utf8',
    );
    expect(log).toContain('INTERNAL_API_TOKEN is not set');
  });
});
