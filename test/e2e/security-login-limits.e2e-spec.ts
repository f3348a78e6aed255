/**
 * Issue 15, item 2, replayed as reported: 30 parallel wrong-password logins on one account,
 * against auth's production limits (10 failures per account and 100 per address in 15
 * minutes). Before, every one of them was checked and none got 429, because the counter was
 * read before the password check and written after it. auth now takes the attempt before
 * the check (ADR 0016), so at most the limit's worth is checked, on gRPC and HTTP alike,
 * for the account and for the address.
 *
 * The stack's auth runs with smaller limits (abuse-limits.e2e-spec.ts); this spec starts an
 * auth of its own with none of the limit variables set, so the defaults are what is tested.
 */
import { createAuthClient, type AuthCallOptions, type AuthClient } from '@app/auth-client';
import { ErrorCodes } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { randomInt, randomUUID } from 'node:crypto';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from './support/extra-service';
import { E2E_INSTANCE } from './support/stack';
import { failure, newUser } from './support/clients';

/** auth's defaults (apps/auth/src/config/auth.config.ts). */
const ACCOUNT_LIMIT = 10;
const ADDRESS_LIMIT = 100;
const WINDOW_SECONDS = 900;
const PARALLEL = 30;

const GRPC_PORT = spareGrpcPort(25);

/** An address of its own per call or per test, as a trusted proxy reports it. */
const freshAddress = () =>
  `2001:db8:15:${randomInt(0xffff).toString(16)}::${randomInt(0xffff).toString(16)}`;

function from(address: string): AuthCallOptions {
  const metadata = new grpc.Metadata();
  metadata.set('x-forwarded-for', address);
  return { metadata };
}

const count = <T>(values: T[], value: T) => values.filter((v) => v === value).length;

describe('login limits under 30 parallel attempts, with the production defaults', () => {
  let auth: ExtraService;
  let client: AuthClient;

  beforeAll(async () => {
    auth = await startExtraService('auth', sparePort(33), {
      GRPC_PORT: String(GRPC_PORT),
      // The defaults: nothing set.
      RATE_LIMIT_WINDOW: undefined,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: undefined,
      LOGIN_MAX_FAILURES_PER_ADDRESS: undefined,
      REGISTER_MAX_PER_ACCOUNT: undefined,
      REGISTER_MAX_PER_ADDRESS: undefined,
      // Counters of its own, fresh for each run: a rerun within 15 minutes starts at zero.
      REDIS_KEY_PREFIX: `auth-e2e${E2E_INSTANCE}-limits-${randomUUID().slice(0, 8)}`,
      OTEL_SDK_DISABLED: 'true',
      SHUTDOWN_GRACE_MS: '0',
    });
    client = createAuthClient(`127.0.0.1:${GRPC_PORT}`);
  }, 90_000);

  afterAll(async () => {
    client?.close();
    await auth?.stop();
  });

  const httpLogin = (body: { email: string; password: string }, address: string) =>
    fetch(`${auth.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(body),
    });

  it(`gRPC: checks at most ${ACCOUNT_LIMIT} of ${PARALLEL} parallel wrong-password logins on one account`, async () => {
    const account = newUser('lim15grpc');
    await client.register(account, from(freshAddress()));

    // Each from its own address: only the account's limit can refuse them.
    const errors = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        failure(
          client.login({ email: account.email, password: `wrong-${i}` }, from(freshAddress())),
        ),
      ),
    );
    const codes = errors.map((e) => e.code);
    const checked = count(codes, grpc.status.UNAUTHENTICATED);
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(ACCOUNT_LIMIT);
    expect(checked + count(codes, grpc.status.RESOURCE_EXHAUSTED)).toBe(PARALLEL);
    for (const error of errors.filter((e) => e.code === grpc.status.RESOURCE_EXHAUSTED)) {
      expect(error.metadata.get('x-error-code')).toEqual([ErrorCodes.RATE_LIMITED]);
      const retryAfter = Number(error.metadata.get('retry-after')[0]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    }

    // The right password is refused too while the limit holds.
    const right = await failure(client.login(account, from(freshAddress())));
    expect(right.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it(`HTTP: checks at most ${ACCOUNT_LIMIT} of ${PARALLEL} parallel wrong-password logins on one account`, async () => {
    const account = newUser('lim15http');
    await client.register(account, from(freshAddress()));

    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const response = await httpLogin(
          { email: account.email, password: `wrong-${i}` },
          freshAddress(),
        );
        return {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          body: (await response.json()) as { code?: string },
        };
      }),
    );
    const statuses = answers.map((a) => a.status);
    const checked = count(statuses, 401);
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(ACCOUNT_LIMIT);
    expect(checked + count(statuses, 429)).toBe(PARALLEL);
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.body.code).toBe(ErrorCodes.RATE_LIMITED);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);
    }

    const right = await httpLogin(account, freshAddress());
    expect(right.status).toBe(429);
  });

  it.each(['gRPC', 'HTTP'] as const)(
    `%s: checks at most ${ADDRESS_LIMIT} of ${ADDRESS_LIMIT + 50} parallel failed logins from one address across accounts`,
    async (transport) => {
      const address = freshAddress();
      // A new email each time, so no account limit is reached first.
      const attempt = async (): Promise<string> => {
        const body = { email: newUser('lim15spray').email, password: 'wrong-password' };
        if (transport === 'gRPC') {
          // A hundred password checks at once take longer than the client's default deadline.
          const error = await failure(client.login(body, { ...from(address), deadlineMs: 60_000 }));
          if (error.code === grpc.status.UNAUTHENTICATED) return 'checked';
          if (error.code === grpc.status.RESOURCE_EXHAUSTED) return 'throttled';
          return `gRPC ${error.code}`;
        }
        const response = await httpLogin(body, address);
        await response.body?.cancel();
        if (response.status === 401) return 'checked';
        if (response.status === 429) return 'throttled';
        return `HTTP ${response.status}`;
      };

      const outcomes = await Promise.all(Array.from({ length: ADDRESS_LIMIT + 50 }, attempt));
      expect(outcomes.filter((o) => o !== 'checked' && o !== 'throttled')).toEqual([]);
      const checked = count(outcomes, 'checked');
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(ADDRESS_LIMIT);
      expect(checked + count(outcomes, 'throttled')).toBe(ADDRESS_LIMIT + 50);

      // The address stays refused; another address is not.
      expect(await attempt()).toBe('throttled');
      const elsewhere = await failure(
        client.login(
          { email: newUser('lim15else').email, password: 'wrong-password' },
          from(freshAddress()),
        ),
      );
      expect(elsewhere.code).toBe(grpc.status.UNAUTHENTICATED);
    },
    60_000,
  );
});
