import { loadConfig } from '@app/platform';
import type { Redis } from 'ioredis';
import { authConfigSchema } from '../config/auth.config';
import { AttemptLimiter } from './attempt-limiter';
import { RateLimitedError } from './rate-limit.errors';

/**
 * The limiter's own rules, without a network: Redis is down, so every counter runs on
 * rate-limiter-flexible's in-memory insurance limiter — the path auth takes while Redis is
 * unreachable. The e2e spec (test/abuse-limits.e2e-spec.ts) shows the same on real Redis.
 */
/** A Redis that is down, as ioredis reports it: not ready, and every command fails. */
const redisDown = {
  status: 'end',
  del: () => Promise.reject(new Error('Connection is closed.')),
} as unknown as Redis;

function setup(limits: Record<string, string> = {}) {
  const config = loadConfig(authConfigSchema, {
    LOGIN_MAX_FAILURES_PER_ACCOUNT: '3',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '5',
    REGISTER_MAX_PER_ACCOUNT: '2',
    REGISTER_MAX_PER_ADDRESS: '3',
    ...limits,
  });
  return new AttemptLimiter(redisDown, config);
}

/** How many of `attempts` (started together) were let through. */
async function granted(attempts: Array<Promise<void>>): Promise<number> {
  const outcomes = await Promise.allSettled(attempts);
  for (const o of outcomes) {
    if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(RateLimitedError);
  }
  return outcomes.filter((o) => o.status === 'fulfilled').length;
}

const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));

describe('AttemptLimiter', () => {
  it('lets at most the account limit of parallel login attempts through', async () => {
    const limiter = setup();

    const through = await granted(
      times(20, (i) => limiter.consumeLoginAttempt('alice@example.test', `198.51.100.${i}`)),
    );

    expect(through).toBe(3);
  });

  it('lets at most the address limit of parallel login attempts through, across accounts', async () => {
    const limiter = setup();

    const through = await granted(
      times(20, (i) => limiter.consumeLoginAttempt(`user${i}@example.test`, '198.51.100.1')),
    );

    expect(through).toBe(5);
  });

  it('says when to retry', async () => {
    const limiter = setup({ RATE_LIMIT_WINDOW: '60' });
    for (let i = 0; i < 3; i += 1) await limiter.consumeLoginAttempt('a@example.test', '192.0.2.1');

    const refused = await limiter
      .consumeLoginAttempt('a@example.test', '192.0.2.1')
      .catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('forgives the account and gives the address its point back on a correct password', async () => {
    const limiter = setup();
    for (let i = 0; i < 2; i += 1) await limiter.consumeLoginAttempt('a@example.test', '192.0.2.1');
    await limiter.consumeLoginAttempt('a@example.test', '192.0.2.1');
    await limiter.recordLoginSuccess('a@example.test', '192.0.2.1');

    // The account starts over: 3 more attempts; the address has had 2 failures of 5.
    expect(
      await granted(times(3, () => limiter.consumeLoginAttempt('a@example.test', '192.0.2.1'))),
    ).toBe(3);
    expect(await granted([limiter.consumeLoginAttempt('a@example.test', '192.0.2.1')])).toBe(0);
  });

  it('gives back a refunded attempt', async () => {
    const limiter = setup();
    for (let i = 0; i < 3; i += 1) {
      await limiter.consumeLoginAttempt('a@example.test', '192.0.2.1');
      await limiter.refundLoginAttempt('a@example.test', '192.0.2.1');
    }

    expect(
      await granted(times(3, () => limiter.consumeLoginAttempt('a@example.test', '192.0.2.1'))),
    ).toBe(3);
  });

  it("does not charge an account for attempts its address's limit refused", async () => {
    const limiter = setup({ LOGIN_MAX_FAILURES_PER_ADDRESS: '2' });
    for (let i = 0; i < 10; i += 1) {
      await limiter.consumeLoginAttempt('victim@example.test', '192.0.2.66').catch(() => undefined);
    }

    // Only the 2 checked attempts counted against the account (limit 3): one is left.
    expect(
      await granted(
        times(5, () => limiter.consumeLoginAttempt('victim@example.test', '192.0.2.7')),
      ),
    ).toBe(1);
  });

  it('lets at most the registration limits of parallel attempts through', async () => {
    const limiter = setup();

    expect(
      await granted(
        times(10, (i) => limiter.consumeRegistration('a@example.test', `192.0.2.${i}`)),
      ),
    ).toBe(2);
    expect(
      await granted(
        times(10, (i) => limiter.consumeRegistration(`u${i}@example.test`, '192.0.2.99')),
      ),
    ).toBe(3);
  });
});
