import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@app/platform';
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
import { REDIS } from './redis.module';

/**
 * Counters of login and registration attempts, per account (email) and per client
 * address, in Redis so every auth instance shares them. Logins count failures only (a
 * user who logs in often is not throttled; a correct password resets the account's
 * count); registrations count every attempt. If Redis is unreachable, each instance
 * falls back to counting in its own memory rather than letting attempts through unlimited.
 */
@Injectable()
export class AttemptLimiter {
  private readonly loginAccount: RateLimiterAbstract;
  private readonly loginAddress: RateLimiterAbstract;
  private readonly registerAccount: RateLimiterAbstract;
  private readonly registerAddress: RateLimiterAbstract;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AuthConfig) {
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

  /** Throws {@link RateLimitedError} while either login counter is used up. */
  async assertLoginAllowed(email: string, address: string): Promise<void> {
    const [account, client] = await Promise.all([
      this.loginAccount.get(accountKey(email)),
      this.loginAddress.get(address),
    ]);
    const blocked = [
      [account, this.loginAccount.points],
      [client, this.loginAddress.points],
    ] as const;
    const waits = blocked
      .filter(([res, points]) => res !== null && res.consumedPoints >= points)
      .map(([res]) => res!.msBeforeNext);
    if (waits.length > 0) throw new RateLimitedError(toSeconds(Math.max(...waits)));
  }

  /** Counts a failed login against the account and the address. */
  async recordLoginFailure(email: string, address: string): Promise<void> {
    await Promise.all([
      this.loginAccount.penalty(accountKey(email)),
      this.loginAddress.penalty(address),
    ]);
  }

  /** A correct password: the account's failures are forgiven (the address's are not). */
  async recordLoginSuccess(email: string): Promise<void> {
    await this.loginAccount.delete(accountKey(email));
  }

  /** Counts a registration attempt; throws {@link RateLimitedError} past either limit. */
  async consumeRegistration(email: string, address: string): Promise<void> {
    const outcomes = await Promise.allSettled([
      this.registerAccount.consume(accountKey(email)),
      this.registerAddress.consume(address),
    ]);
    const waits = outcomes.flatMap((o) => {
      if (o.status === 'fulfilled') return [];
      if (o.reason instanceof RateLimiterRes) return [o.reason.msBeforeNext];
      throw o.reason;
    });
    if (waits.length > 0) throw new RateLimitedError(toSeconds(Math.max(...waits)));
  }
}

/** Emails are hashed so Redis never holds them in clear. */
function accountKey(email: string): string {
  return createHash('sha256').update(email).digest('base64url');
}

const toSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
