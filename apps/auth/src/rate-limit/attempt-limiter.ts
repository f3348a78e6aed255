import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, REDIS_CLIENT } from '@app/platform';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { AuthConfig } from '../config/auth.config';
import { RateLimitedError } from './rate-limit.errors';

/** One counter and the key an attempt counts under. */
type Counter = readonly [limiter: RateLimiterAbstract, key: string];

/**
 * Counters of login and registration attempts, per account (email) and per client
 * address, in Redis so every auth instance shares them. If Redis is unreachable, each
 * instance falls back to counting in its own memory rather than letting attempts through
 * unlimited.
 *
 * Every attempt takes its point atomically (one Redis INCR) *before* anything is checked,
 * so parallel attempts cannot all find room under the limit: with N attempts in flight
 * and a limit of L, at most L are checked, whatever the timing. Logins then give back
 * what a correct password should not cost (a user who logs in often is not throttled; a
 * correct password resets the account's count), so in effect they limit failures;
 * registrations count every attempt.
 */
@Injectable()
export class AttemptLimiter {
  private readonly loginAccount: RateLimiterAbstract;
  private readonly loginAddress: RateLimiterAbstract;
  private readonly registerAccount: RateLimiterAbstract;
  private readonly registerAddress: RateLimiterAbstract;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: AuthConfig) {
    const limits = config.rateLimits;
    const limiter = (keyPrefix: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redis.keyPrefix}:rl:${keyPrefix}`,
        points,
        duration: limits.windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: limits.windowSeconds }),
      });
    this.loginAccount = limiter('login:account', limits.loginFailuresPerAccount);
    this.loginAddress = limiter('login:address', limits.loginFailuresPerAddress);
    this.registerAccount = limiter('register:account', limits.registerPerAccount);
    this.registerAddress = limiter('register:address', limits.registerPerAddress);
  }

  /**
   * Takes a login attempt from the account's and the address's budgets before the password
   * is checked; throws {@link RateLimitedError} when either is used up. Until it is given
   * back ({@link recordLoginSuccess}, {@link refundLoginAttempt}) the attempt counts as a
   * failure.
   */
  async consumeLoginAttempt(email: string, address: string): Promise<void> {
    await consumeEach(this.loginCounters(email, address));
  }

  /**
   * A correct password: the account's count starts over (its failures are forgiven), and
   * the attempt is given back to the address, which counts failures only.
   */
  async recordLoginSuccess(email: string, address: string): Promise<void> {
    await Promise.all([
      this.loginAccount.delete(accountKey(email)),
      this.loginAddress.reward(address, 1),
    ]);
  }

  /** The attempt reached no verdict on the password (e.g. the database was down). */
  async refundLoginAttempt(email: string, address: string): Promise<void> {
    await refund(this.loginCounters(email, address));
  }

  /** Counts a registration attempt; throws {@link RateLimitedError} past either limit. */
  async consumeRegistration(email: string, address: string): Promise<void> {
    await consumeEach([
      [this.registerAccount, accountKey(email)],
      [this.registerAddress, address],
    ]);
  }

  private loginCounters(email: string, address: string): Counter[] {
    return [
      [this.loginAccount, accountKey(email)],
      [this.loginAddress, address],
    ];
  }
}

/**
 * Takes one point from each counter at once. If any refuses, the attempt goes no further,
 * so the points the others granted are given back: an attempt that was never checked must
 * not use up, say, an account's budget because its address was throttled. (A refused point
 * is left where it is: it sits above the limit and expires with the window, whereas giving
 * it back after the window ended would start the next one below zero.)
 */
async function consumeEach(counters: readonly Counter[]): Promise<void> {
  const outcomes = await Promise.allSettled(counters.map(([limiter, key]) => limiter.consume(key)));
  if (outcomes.every((o) => o.status === 'fulfilled')) return;
  await refund(counters.filter((_, i) => outcomes[i].status === 'fulfilled'));
  const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
  // Anything but a refusal is a fault of the counters themselves: fail closed.
  const fault = reasons.find((reason) => !(reason instanceof RateLimiterRes));
  if (fault !== undefined) throw fault as Error;
  const waits = (reasons as RateLimiterRes[]).map((res) => res.msBeforeNext);
  throw new RateLimitedError(toSeconds(Math.max(...waits)));
}

async function refund(counters: readonly Counter[]): Promise<void> {
  await Promise.all(counters.map(([limiter, key]) => limiter.reward(key, 1)));
}

/** Emails are hashed so Redis never holds them in clear. */
function accountKey(email: string): string {
  return createHash('sha256').update(email).digest('base64url');
}

const toSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
