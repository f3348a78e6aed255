import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { FRIENDSHIP_REVOKED_CHANNEL, pairId } from '@app/contracts';
import { RedisConnections } from '@app/platform';
import type { Redis } from 'ioredis';

/**
 * How long an announced revocation makes the replica's "friends" doubtful: far beyond the
 * usual lag of the `friends.*` event that brings the replica up to date.
 */
export const REVOCATION_DOUBT_MS = 60_000;

/**
 * The pairs friends has just announced as no longer friendly (an unfriend or a block, on
 * {@link FRIENDSHIP_REVOKED_CHANNEL}), heard over Redis right after friends committed them,
 * before the caller got its answer. For those pairs {@link ChatAccess} asks friends instead
 * of trusting the replica's "friends", which the `friends.*` event corrects only after the
 * outbox relay and Kafka's lag (ADR 0038). Missing an announcement (Redis down) leaves
 * exactly that lag; nothing is refused on the strength of an announcement alone.
 */
@Injectable()
export class FriendshipRevocations implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(FriendshipRevocations.name);
  /** pair id → until when (ms) the replica's "friends" is not taken for it. */
  private readonly doubtful = new Map<string, number>();
  private readonly subscriber: Redis;

  constructor(@Inject(RedisConnections) redis: RedisConnections) {
    this.subscriber = redis.open('revocations-sub', { lazyConnect: true });
  }

  onModuleInit(): void {
    this.subscriber.on('message', (_channel: string, pair: string) => this.note(pair));
    // ioredis subscribes again by itself after a reconnect.
    this.subscriber
      .connect()
      .then(() => this.subscriber.subscribe(FRIENDSHIP_REVOKED_CHANNEL))
      .catch((error: Error) =>
        this.logger.warn(`friendship revocations not followed yet: ${error.message}`),
      );
  }

  // The connection itself is closed by RedisModule.
  onApplicationShutdown(): void {
    this.doubtful.clear();
  }

  /** Whether friends announced lately that `a` and `b` stopped being friends or one blocked. */
  revokedLately(a: string, b: string): boolean {
    const pair = pairId(a, b);
    const until = this.doubtful.get(pair);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.doubtful.delete(pair);
    return false;
  }

  private note(pair: string): void {
    const now = Date.now();
    // Entries are dropped when read after their time; a sweep keeps unread ones bounded.
    if (this.doubtful.size >= 10_000) {
      for (const [key, until] of this.doubtful) if (until <= now) this.doubtful.delete(key);
    }
    this.doubtful.set(pair, now + REVOCATION_DOUBT_MS);
  }
}
