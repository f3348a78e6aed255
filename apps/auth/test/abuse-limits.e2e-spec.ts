import type { AuthCallOptions } from '@app/auth-client';
import { ErrorCodes } from '@app/contracts';
import * as grpc from '@grpc/grpc-js';
import { randomInt } from 'node:crypto';
import { type AuthGrpcClient, authClient } from '../../../test/e2e/support/clients';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from '../../../test/e2e/support/extra-service';
import { serviceEnv, stack } from '../../../test/e2e/support/stack';
import { errorCode, failure, newUser } from './helpers';

/**
 * The e2e stack runs auth with TRUST_PROXY and small limits (test/e2e/support/stack.ts):
 * 5 failed logins per account, 30 per address, 5 registrations per email, in 60 s windows.
 * Each test speaks from its own `x-forwarded-for` address, so the rest of the suite (all
 * 127.0.0.1) is never throttled by it, and reruns within a window do not collide.
 */
const freshAddress = () =>
  `2001:db8:${randomInt(0xffff).toString(16)}::${randomInt(0xffff).toString(16)}`;

/** Call options that speak from `address`, as a trusted proxy in front of auth says. */
function from(address: string): AuthCallOptions {
  const metadata = new grpc.Metadata();
  metadata.set('x-forwarded-for', address);
  return { metadata };
}

/** The HTTP gateway's answer to a throttled client: 429, Retry-After, the standard body. */
async function expectThrottled(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(await response.json()).toEqual({
    statusCode: 429,
    code: ErrorCodes.RATE_LIMITED,
    message: 'Too many attempts, try again later',
  });
}

describe('auth abuse limits', () => {
  let auth: AuthGrpcClient;
  beforeAll(() => {
    auth = authClient();
  });
  afterAll(() => auth.close());

  it('throttles an account after 5 failed logins with RESOURCE_EXHAUSTED and retry-after, even for the right password', async () => {
    const user = newUser('throttle');
    const address = freshAddress();
    await auth.register(user, from(address));

    for (let i = 0; i < 5; i += 1) {
      const error = await failure(
        auth.login({ email: user.email, password: `wrong-${i}` }, from(address)),
      );
      expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
    }
    // From another address too: the limit is the account's.
    const throttled = await failure(auth.login(user, from(freshAddress())));
    expect(throttled.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(errorCode(throttled)).toBe(ErrorCodes.RATE_LIMITED);
    const retryAfter = Number(throttled.metadata.get('retry-after')[0]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('says the same for an unknown email as for a known one once throttled', async () => {
    const address = freshAddress();
    const known = newUser('same');
    await auth.register(known, from(address));
    const unknownEmail = `nobody-${known.email}`;

    const answers: grpc.ServiceError[] = [];
    for (const email of [known.email, unknownEmail]) {
      for (let i = 0; i < 5; i += 1) {
        await failure(auth.login({ email, password: 'wrong-password' }, from(address)));
      }
      answers.push(await failure(auth.login({ email, password: 'wrong-password' }, from(address))));
    }
    const [forKnown, forUnknown] = answers;
    expect(forKnown.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(forUnknown.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(forKnown.details).toBe(forUnknown.details);
  });

  it('throttles a client address after 30 failed logins across accounts, over HTTP with 429 and Retry-After', async () => {
    const address = freshAddress();
    const login = (email: string) =>
      fetch(`${stack.auth.http}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ email, password: 'wrong-password' }),
      });

    for (let i = 0; i < 30; i += 1) {
      // A new email each time, so no account limit is reached first.
      expect((await login(`spray-${i}-${newUser().email}`)).status).toBe(401);
    }
    await expectThrottled(await login(newUser().email));

    // Another address is not affected.
    const elsewhere = await fetch(`${stack.auth.http}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
      body: JSON.stringify({ email: newUser().email, password: 'wrong-password' }),
    });
    expect(elsewhere.status).toBe(401);
  });

  it('throttles registration attempts for one email after 5', async () => {
    const user = newUser('regspam');
    await auth.register(user, from(freshAddress()));
    for (let i = 0; i < 4; i += 1) {
      const taken = await failure(
        auth.register({ ...newUser('regspam'), email: user.email }, from(freshAddress())),
      );
      expect(taken.code).toBe(grpc.status.ALREADY_EXISTS);
    }
    const throttled = await failure(
      auth.register({ ...newUser('regspam'), email: user.email }, from(freshAddress())),
    );
    expect(throttled.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(throttled.metadata.get('retry-after')).toHaveLength(1);
  });
});

describe('auth abuse limits under concurrency', () => {
  // The attack: many attempts in flight at once. A limit that reads its counter before the
  // password check and writes it after lets every one of them through; each attempt must
  // take its place in the counter atomically before anything is checked.
  const ACCOUNT_LIMIT = 5;
  const ADDRESS_LIMIT = 30;
  const PARALLEL = 30;

  let auth: AuthGrpcClient;
  beforeAll(() => {
    auth = authClient();
  });
  afterAll(() => auth.close());

  const httpLogin = (body: { email: string; password: string }, address = freshAddress()) =>
    fetch(`${stack.auth.http}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(body),
    });

  it(`checks at most ${ACCOUNT_LIMIT} of ${PARALLEL} parallel wrong-password gRPC logins on one account, then refuses the right password too`, async () => {
    const user = newUser('racegrpc');
    await auth.register(user, from(freshAddress()));

    // Each from its own address, so only the account's limit can refuse them.
    const errors = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        failure(auth.login({ email: user.email, password: `wrong-${i}` }, from(freshAddress()))),
      ),
    );
    const codes = errors.map((e) => e.code);
    const checked = codes.filter((c) => c === grpc.status.UNAUTHENTICATED).length;
    const throttled = codes.filter((c) => c === grpc.status.RESOURCE_EXHAUSTED).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(ACCOUNT_LIMIT);
    expect(checked + throttled).toBe(PARALLEL);

    const rightPassword = await failure(auth.login(user, from(freshAddress())));
    expect(rightPassword.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(errorCode(rightPassword)).toBe(ErrorCodes.RATE_LIMITED);
  });

  it(`checks at most ${ACCOUNT_LIMIT} of ${PARALLEL} parallel wrong-password HTTP logins on one account, then refuses the right password too`, async () => {
    const user = newUser('racehttp');
    await auth.register(user, from(freshAddress()));

    const statuses = await Promise.all(
      Array.from({ length: PARALLEL }, async (_, i) => {
        const response = await httpLogin({ email: user.email, password: `wrong-${i}` });
        await response.body?.cancel();
        return response.status;
      }),
    );
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(ACCOUNT_LIMIT);
    expect(checked + statuses.filter((s) => s === 429).length).toBe(PARALLEL);

    await expectThrottled(await httpLogin(user));
  });

  it(`checks at most ${ADDRESS_LIMIT} of ${2 * ADDRESS_LIMIT} parallel failed logins from one address across accounts`, async () => {
    const address = freshAddress();
    const statuses = await Promise.all(
      Array.from({ length: 2 * ADDRESS_LIMIT }, async () => {
        const response = await httpLogin(
          { email: newUser('racespray').email, password: 'wrong-password' },
          address,
        );
        await response.body?.cancel();
        return response.status;
      }),
    );
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(ADDRESS_LIMIT);
    expect(checked + statuses.filter((s) => s === 429).length).toBe(2 * ADDRESS_LIMIT);

    await expectThrottled(
      await httpLogin({ email: newUser('racespray').email, password: 'wrong-password' }, address),
    );
  });

  it('lets at most 5 parallel registrations for one email past the limit', async () => {
    const user = newUser('racereg');
    await auth.register(user, from(freshAddress()));

    const errors = await Promise.all(
      Array.from({ length: 20 }, () =>
        failure(auth.register({ ...newUser('racereg'), email: user.email }, from(freshAddress()))),
      ),
    );
    const codes = errors.map((e) => e.code);
    const taken = codes.filter((c) => c === grpc.status.ALREADY_EXISTS).length;
    // The first registration took one of the 5 attempts.
    expect(taken).toBeLessThanOrEqual(4);
    expect(taken + codes.filter((c) => c === grpc.status.RESOURCE_EXHAUSTED).length).toBe(20);
  });
});

describe('auth registration limit per client address', () => {
  // The stack's auth lets the whole suite register from 127.0.0.1 (a limit of 100,000).
  // A second auth on the same database and broker, with its own counters and a limit of
  // 3, shows the limit itself: the 4th registration from one address within the window is
  // refused, whatever the email, and another address is not affected.
  let strict: ExtraService;
  beforeAll(async () => {
    strict = await startExtraService('auth', sparePort(10), {
      GRPC_PORT: String(spareGrpcPort(0)),
      REGISTER_MAX_PER_ADDRESS: '3',
      REDIS_KEY_PREFIX: `${serviceEnv('auth').REDIS_KEY_PREFIX}-strict`,
    });
  });
  afterAll(() => strict?.stop());

  const register = (address: string) =>
    fetch(`${strict.url}/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify(newUser('peraddr')),
    });

  it('refuses the 4th registration from one address with 429 and Retry-After', async () => {
    const address = freshAddress();
    for (let i = 0; i < 3; i += 1) expect((await register(address)).status).toBe(200);

    await expectThrottled(await register(address));

    expect((await register(freshAddress())).status).toBe(200);
  });
});

describe('auth internal-only methods', () => {
  it('answers ValidateToken UNAUTHENTICATED without internal credentials, or with wrong ones', async () => {
    const caller = authClient();
    const outsider = authClient({ internalToken: null });
    const impostor = authClient({ internalToken: 'not-the-secret-but-long-enough-0123456789' });
    try {
      const { accessToken, userId } = await caller.register(newUser('internal'));
      await expect(caller.validateToken({ accessToken })).resolves.toMatchObject({ userId });

      for (const client of [outsider, impostor]) {
        const error = await failure(client.validateToken({ accessToken }));
        expect(error.code).toBe(grpc.status.UNAUTHENTICATED);
        expect(errorCode(error)).toBe(ErrorCodes.UNAUTHENTICATED);
      }
      // Public methods need no internal credentials.
      await expect(
        outsider.login({ email: 'x@example.test', password: 'wrong-password' }),
      ).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
    } finally {
      for (const client of [caller, outsider, impostor]) client.close();
    }
  });
});
