/**
 * Per-caller request limits of friends' REST API and profile's GraphQL API, against the
 * real services and the Redis they share (`RateLimitModule` of libs/platform). The attack
 * that passed before: one user sent 200 requests in 0.7 s and every one was answered.
 * The e2e limits are in `E2E_REQUEST_LIMITS` (per user, and per address without a token).
 */
import { ErrorCodes } from '@app/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { randomInt } from 'node:crypto';
import { authClient, AuthGrpcClient, eventually, registerUser, TestUser } from './support/clients';
import { ExtraService, spareGrpcPort, sparePort, startExtraService } from './support/extra-service';
import { E2E_REQUEST_LIMITS, serviceEnv, stack } from './support/stack';

const LIMIT = E2E_REQUEST_LIMITS.perUser;

/** Sends `count` requests, `parallel` at a time (a flood, not a trickle); their answers in order. */
async function flood(
  count: number,
  send: (i: number) => Promise<Response>,
  parallel = 20,
): Promise<Response[]> {
  const answers: Response[] = [];
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, (_, i) =>
      send(start + i),
    );
    answers.push(...(await Promise.all(batch)));
  }
  return answers;
}

/**
 * Waits until friends' consumer group is stable again after the second instance left it,
 * so the specs that follow do not spend their own timeouts on the rebalance.
 */
async function friendsGroupSettled(): Promise<void> {
  const admin = new Kafka({
    clientId: 'e2e-rate-limits',
    brokers: serviceEnv('friends').KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await eventually(async () => {
      const { groups } = await admin.describeGroups([serviceEnv('friends').KAFKA_GROUP_ID]);
      return groups.every((g) => g.state === 'Stable' && g.members.length === 1) ? true : undefined;
    }, 60_000);
  } finally {
    await admin.disconnect();
  }
}

const statuses = (answers: Response[]) => answers.map((a) => a.status);

/** `Retry-After` in whole seconds, within the limit's 60 s window. */
function expectRetryAfter(response: Response): void {
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

const friendsList = (base: string, token: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/friends`, { headers: { authorization: `Bearer ${token}`, ...headers } });

const me = (token: string) =>
  fetch(`${stack.profile.http}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });

describe('request rate limits', () => {
  let auth: AuthGrpcClient;
  const user = (prefix: string): Promise<TestUser> => registerUser(auth, prefix);
  /** A second friends process, started while the single-instance tests run. */
  let second: Promise<ExtraService>;

  beforeAll(() => {
    auth = authClient();
    second = startExtraService('friends', sparePort(40), {
      GRPC_PORT: String(spareGrpcPort(15)),
      // No spans to look at here; without a receiver, flushing them would hold up its stop.
      OTEL_SDK_DISABLED: 'true',
    });
    // Awaited by the test that needs it; a failure to start must not go unhandled before.
    second.catch(() => undefined);
  });
  afterAll(async () => {
    auth?.close();
    const started = await second.catch(() => undefined);
    if (started) {
      await started.stop();
      await friendsGroupSettled();
    }
  }, 90_000);

  it('refuses a user flooding friends 429 with Retry-After, and no one else', async () => {
    const [flooder, bystander] = await Promise.all([user('rlflood'), user('rlbystander')]);

    const within = await flood(LIMIT, () => friendsList(stack.friends.http, flooder.accessToken));
    expect(new Set(statuses(within))).toEqual(new Set([200]));

    const over = await friendsList(stack.friends.http, flooder.accessToken);
    expect(over.status).toBe(429);
    expectRetryAfter(over);
    expect(await over.json()).toEqual({
      statusCode: 429,
      code: ErrorCodes.RATE_LIMITED,
      message: expect.any(String),
    });

    // Another user, and what operators and tools need, are not affected.
    expect((await friendsList(stack.friends.http, bystander.accessToken)).status).toBe(200);
    for (const path of ['/health/ready', '/metrics', '/docs-json']) {
      const response = await fetch(`${stack.friends.http}${path}`, {
        headers: { authorization: `Bearer ${flooder.accessToken}` },
      });
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
    const metrics = await (await fetch(`${stack.friends.http}/metrics`)).text();
    expect(metrics).toMatch(/^http_requests_rate_limited_total\{[^}]*limit="user"[^}]*\} [1-9]/m);
  });

  it('refuses a user flooding profile GraphQL as a GraphQL error, 429 with Retry-After', async () => {
    const [flooder, bystander] = await Promise.all([user('rlgql'), user('rlgqlbystander')]);

    const within = await flood(LIMIT, () => me(flooder.accessToken));
    expect(new Set(statuses(within))).toEqual(new Set([200]));

    const over = await me(flooder.accessToken);
    expect(over.status).toBe(429);
    expectRetryAfter(over);
    const body = (await over.json()) as {
      data?: unknown;
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: expect.any(String),
        extensions: { code: 'RATE_LIMITED', errorCode: ErrorCodes.RATE_LIMITED },
      },
    ]);

    expect((await me(bystander.accessToken)).status).toBe(200);
    expect((await fetch(`${stack.profile.http}/health/ready`)).status).toBe(200);
  });

  it('counts requests without a valid token per address, never against the user they name', async () => {
    const victim = await user('rlvictim');
    // The victim's own token with its signature spoiled: it names the victim but proves nothing.
    const forged = `${victim.accessToken.slice(0, -6)}AAAAAA`;
    const address = `198.51.100.${randomInt(1, 255)}`;
    const fromAddress = { 'x-forwarded-for': address };

    const within = await flood(E2E_REQUEST_LIMITS.perAddress, () =>
      friendsList(stack.friends.http, forged, fromAddress),
    );
    expect(new Set(statuses(within))).toEqual(new Set([401]));
    const over = await friendsList(stack.friends.http, forged, fromAddress);
    expect(over.status).toBe(429);
    expectRetryAfter(over);

    // The victim spent nothing; another address is not affected.
    expect((await friendsList(stack.friends.http, victim.accessToken, fromAddress)).status).toBe(
      200,
    );
    const elsewhere = await friendsList(stack.friends.http, forged, {
      'x-forwarded-for': `203.0.113.${randomInt(1, 255)}`,
    });
    expect(elsewhere.status).toBe(401);
  });

  it('shares one count across the instances of a service', async () => {
    const [flooder, other] = await Promise.all([user('rltwo'), second]);
    const first = stack.friends.http;
    // Within the limit in total, spread over both instances: each alone is far below it.
    const onFirst = Math.floor(LIMIT * 0.6);
    const answers = await flood(LIMIT, (i) =>
      friendsList(i < onFirst ? first : other.url, flooder.accessToken),
    );
    expect(new Set(statuses(answers))).toEqual(new Set([200]));

    // Over it on the instance that served only 40 %, and on the other one too.
    for (const base of [other.url, first]) {
      const over = await friendsList(base, flooder.accessToken);
      expect({ base, status: over.status }).toEqual({ base, status: 429 });
      expectRetryAfter(over);
    }
  }, 90_000);
});
