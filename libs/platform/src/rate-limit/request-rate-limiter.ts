import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { MetricsService } from '../metrics/metrics';
import { REDIS_CLIENT } from '../redis/redis.module';
import { Caller, RATE_LIMIT_OPTIONS, RequestLimits } from './rate-limit.options';

/**
 * Counts requests per caller in fixed windows, in Redis so every instance of the service
 * draws on the same count. Each count is one atomic increment in Redis
 * (rate-limiter-flexible), so concurrent requests cannot slip past the limit. A caller over
 * its limit is then refused from the instance's memory until the window ends, without a
 * Redis round trip per refused request: a flood costs Redis nothing. While Redis is
 * unreachable each instance counts in its own memory instead — limits hold per instance
 * rather than letting requests through unlimited.
 */
@Injectable()
export class RequestRateLimiter {
  private readonly perUser: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;
  private readonly refused: Counter<'limit'>;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(RATE_LIMIT_OPTIONS) limits: RequestLimits,
    metrics: MetricsService,
  ) {
    this.refused = new Counter({
      name: 'http_requests_rate_limited_total',
      help: 'HTTP requests refused with 429 for going over the per-user or per-address limit',
      labelNames: ['limit'],
      registers: [metrics.registry],
    });
    const limiter = (kind: Caller['kind'], points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${limits.keyPrefix}:rl:requests:${kind}`,
        points,
        duration: limits.windowSeconds,
        inMemoryBlockOnConsumed: points + 1,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: limits.windowSeconds }),
      });
    this.perUser = limiter('user', limits.perUser);
    this.perAddress = limiter('address', limits.perAddress);
  }

  /**
   * Counts one request of `caller`. Resolves undefined while within the limit, else the
   * seconds until the window ends (at least 1), for `Retry-After`.
   */
  async take(caller: Caller): Promise<number | undefined> {
    const [limiter, key] =
      caller.kind === 'user' ? [this.perUser, caller.userId] : [this.perAddress, caller.address];
    try {
      await limiter.consume(key);
      return undefined;
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) {
        this.refused.inc({ limit: caller.kind });
        return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      }
      throw refusal;
    }
  }
}
