import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { MessengerConfig } from '../config/messenger.config';
import { REDIS_CLIENT } from '../redis/redis.module';

/**
 * How many messages (and typing signals) a socket may send per second. Counters live in
 * Redis, so the limit holds whichever instance a socket is on and survives nothing but
 * its one-second window. When Redis is unreachable a per-process limiter with the same
 * budget stands in: chat keeps working, still bounded.
 */
@Injectable()
export class SocketRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: MessengerConfig) {
    const budget = { points: config.limits.messagesPerSecond, duration: 1 };
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: 'messenger:rate:socket',
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(budget),
      ...budget,
    });
  }

  /** Takes one token of the socket's budget, or throws COMMON.RATE_LIMITED. */
  async take(socketId: string): Promise<void> {
    try {
      await this.limiter.consume(socketId);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new DomainError(
        'RESOURCE_EXHAUSTED',
        ErrorCodes.RATE_LIMITED,
        `Too many messages: at most ${this.limiter.points} per second`,
      );
    }
  }
}
