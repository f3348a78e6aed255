import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import type { Redis } from 'ioredis';
import type { MessengerConfig } from '../config/messenger.config';
import { REDIS_CLIENT } from '../redis/redis.module';
import {
  MemoryTokenBucket,
  RedisTokenBucket,
  type TokenBucketPolicy,
  type TokenGrant,
} from './token-bucket';

/**
 * How many messages (and typing signals) a socket may send: a token bucket per socket of
 * `MESSAGE_BURST` tokens refilled at `MESSAGES_PER_SECOND`. A client may burst (a paste,
 * a queue flushed after a reconnect) and is then held to the steady rate, without the
 * fixed-window artefacts of twice the budget across a window edge or a full second of
 * lockout. Buckets live in Redis, so the limit holds whichever instance a socket is on;
 * while Redis is unreachable an in-process bucket with the same policy stands in: chat
 * keeps working, still bounded.
 */
@Injectable()
export class SocketRateLimiter {
  private readonly logger = new Logger(SocketRateLimiter.name);
  private readonly policy: TokenBucketPolicy;
  private readonly shared: RedisTokenBucket;
  private readonly local: MemoryTokenBucket;
  private degraded = false;

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(APP_CONFIG) config: MessengerConfig) {
    this.policy = {
      capacity: config.limits.messageBurst,
      refillPerSecond: config.limits.messagesPerSecond,
    };
    this.shared = new RedisTokenBucket(redis, this.policy, 'messenger:bucket:socket');
    this.local = new MemoryTokenBucket(this.policy);
  }

  /** Takes one token of the socket's bucket, or throws COMMON.RATE_LIMITED. */
  async take(socketId: string): Promise<void> {
    const grant = await this.grant(socketId);
    if (grant.allowed) return;
    throw new DomainError(
      'RESOURCE_EXHAUSTED',
      ErrorCodes.RATE_LIMITED,
      `Too many messages: ${this.policy.refillPerSecond} per second, bursts of ` +
        `${this.policy.capacity}; retry in ${grant.retryAfterMs} ms`,
    );
  }

  private async grant(socketId: string): Promise<TokenGrant> {
    try {
      const grant = await this.shared.take(socketId);
      if (this.degraded) this.logger.log('rate limits back on Redis');
      this.degraded = false;
      return grant;
    } catch (error) {
      // Logged once per outage, not once per message.
      if (!this.degraded) {
        this.logger.warn({ err: error }, 'Redis unavailable: rate limits per instance');
      }
      this.degraded = true;
      return this.local.take(socketId);
    }
  }
}
