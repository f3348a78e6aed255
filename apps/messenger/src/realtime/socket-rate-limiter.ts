import { Inject, Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import type { MessengerConfig } from '../config/messenger.config';
import { type TokenBucketPolicy, TokenBuckets } from './token-bucket';

/**
 * How many messages (and typing signals) a socket may send: a token bucket per socket of
 * `MESSAGE_BURST` tokens refilled at `MESSAGES_PER_SECOND`. A client may burst (a paste,
 * a queue flushed after a reconnect) and is then held to the steady rate, without the
 * fixed-window artefacts of twice the budget across a window edge or a full second of
 * lockout.
 *
 * The buckets live in this process: a socket is served by one instance for its whole
 * life, so no other instance ever takes from its bucket, and the check costs no network
 * round trip on every message and does not depend on Redis being up.
 */
@Injectable()
export class SocketRateLimiter {
  private readonly policy: TokenBucketPolicy;
  private readonly buckets: TokenBuckets;

  constructor(@Inject(APP_CONFIG) config: MessengerConfig) {
    this.policy = {
      capacity: config.limits.messageBurst,
      refillPerSecond: config.limits.messagesPerSecond,
    };
    this.buckets = new TokenBuckets(this.policy);
  }

  /** Takes one token of the socket's bucket, or throws COMMON.RATE_LIMITED. */
  take(socketId: string): void {
    const grant = this.buckets.take(socketId);
    if (grant.allowed) return;
    throw new DomainError(
      'RESOURCE_EXHAUSTED',
      ErrorCodes.RATE_LIMITED,
      `Too many messages: ${this.policy.refillPerSecond} per second, bursts of ` +
        `${this.policy.capacity}; retry in ${grant.retryAfterMs} ms`,
    );
  }
}
