/**
 * Issue 15, item 10, replayed as reported: one user sends 200 requests at once to friends'
 * REST API and to profile's GraphQL API. Before, all 200 were answered. With the per-user
 * limit (ADR 0020, `E2E_REQUEST_LIMITS` in this stack) at most the limit's worth is
 * answered and the rest get 429 with Retry-After (`COMMON.RATE_LIMITED`, GraphQL
 * `RATE_LIMITED`), and the count is one across the instances of a service — here for
 * profile, as request-rate-limits.e2e-spec.ts shows it for friends.
 */
import { ErrorCodes } from '@app/contracts';
import { authClient, type AuthGrpcClient, registerUser, type TestUser } from './support/clients';
import {
  type ExtraService,
  spareGrpcPort,
  sparePort,
  startExtraService,
} from './support/extra-service';
import { E2E_REQUEST_LIMITS, serviceEnv, stack } from './support/stack';

const LIMIT = E2E_REQUEST_LIMITS.perUser;
const BURST = 200;

const friendsList = (base: string, user: TestUser) =>
  fetch(`${base}/v1/friends`, { headers: { authorization: `Bearer ${user.accessToken}` } });

const me = (base: string, user: TestUser) =>
  fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });

interface Answer {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

/** Sends `count` requests all at once (no batching) and reads every answer. */
async function burst(count: number, send: (i: number) => Promise<Response>): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await send(i);
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: await response.json(),
      };
    }),
  );
}

function expectRefusal(answer: Answer, body: unknown): void {
  expect(answer.status).toBe(429);
  const retryAfter = Number(answer.retryAfter);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(answer.body).toEqual(body);
}

const REST_REFUSAL = {
  statusCode: 429,
  code: ErrorCodes.RATE_LIMITED,
  message: expect.any(String) as unknown,
};
const GRAPHQL_REFUSAL = {
  errors: [
    {
      message: expect.any(String) as unknown,
      extensions: { code: 'RATE_LIMITED', errorCode: ErrorCodes.RATE_LIMITED },
    },
  ],
};

describe(`${BURST} requests at once by one user`, () => {
  let auth: AuthGrpcClient;
  beforeAll(() => {
    auth = authClient();
  });
  afterAll(() => auth?.close());

  it(`friends REST: answers at most ${LIMIT}, refuses the rest 429 with Retry-After`, async () => {
    const user = await registerUser(auth, 'burstrest');
    const answers = await burst(BURST, () => friendsList(stack.friends.http, user));

    const answered = answers.filter((a) => a.status === 200).length;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThanOrEqual(LIMIT);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(BURST - answered);
    for (const answer of refused) expectRefusal(answer, REST_REFUSAL);
  });

  it(`profile GraphQL: answers at most ${LIMIT}, refuses the rest as RATE_LIMITED, 429 with Retry-After`, async () => {
    const user = await registerUser(auth, 'burstgql');
    const answers = await burst(BURST, () => me(stack.profile.http, user));

    const answered = answers.filter((a) => a.status === 200).length;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThanOrEqual(LIMIT);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused).toHaveLength(BURST - answered);
    for (const answer of refused) expectRefusal(answer, GRAPHQL_REFUSAL);
  });
});

describe('one count across two profile instances', () => {
  let auth: AuthGrpcClient;
  let second: ExtraService;

  beforeAll(async () => {
    auth = authClient();
    second = await startExtraService('profile', sparePort(34), {
      GRPC_PORT: String(spareGrpcPort(26)),
      // A consumer group of its own, as in hostile-input.e2e-spec.ts: joining and leaving
      // the stack's would rebalance profile's consumer and stall later specs' events.
      KAFKA_GROUP_ID: `${serviceEnv('profile').KAFKA_GROUP_ID}-limits`,
      OTEL_SDK_DISABLED: 'true',
      SHUTDOWN_GRACE_MS: '0',
    });
  }, 90_000);
  afterAll(async () => {
    auth?.close();
    await second?.stop();
  });

  it('refuses a user on both instances once the two together reached the limit', async () => {
    const user = await registerUser(auth, 'twoprofiles');
    const onFirst = Math.floor(LIMIT * 0.6);
    // Within the limit in total, spread over both: each alone is far below it.
    const answers = await burst(LIMIT, (i) =>
      me(i < onFirst ? stack.profile.http : second.url, user),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));

    for (const base of [second.url, stack.profile.http]) {
      const over = await burst(1, () => me(base, user));
      expect({ base, status: over[0].status }).toEqual({ base, status: 429 });
      expectRefusal(over[0], GRAPHQL_REFUSAL);
    }
  }, 60_000);
});
