import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, REDIS_CLIENT } from '@app/platform';
import type { Redis } from 'ioredis';
import type { MessengerConfig } from '../config/messenger.config';

/**
 * The registry's keys, under the service's `REDIS_KEY_PREFIX` (default `messenger`), so
 * stacks sharing one Redis never sweep, count or announce each other's users.
 */
function keysOf(prefix: string) {
  return {
    sockets: (userId: string) => `${prefix}:sockets:${userId}`,
    /** Users announced online, each scored with the expiry of their newest socket entry. */
    online: `${prefix}:online`,
    /** When each user was last seen (their last socket closed, or now while online). */
    lastSeen: `${prefix}:last-seen`,
  };
}

/**
 * Lua: the user's entry in the online set (KEYS[1], member ARGV[2]) takes the expiry of
 * their newest live socket (KEYS[2]), so it fades exactly when the last of them does —
 * not at the later expiry a socket closed since had set.
 */
const FOLLOW_NEWEST_SOCKET = `
  local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if newest[2] then redis.call('ZADD', KEYS[1], 'XX', newest[2], ARGV[2]) end`;

/**
 * The open sockets of every user across all messenger instances, in Redis: one sorted set
 * per user, socket id → expiry. Instances refresh their sockets' expiry on a heartbeat, so
 * the sockets of an instance killed without a goodbye drop out on their own, and
 * {@link expiredOnline} finds their users so someone announces them offline. Counts here
 * drive the per-user connection limit and presence.
 */
@Injectable()
export class ConnectionRegistry {
  private readonly ttlMs: number;
  private readonly keys: ReturnType<typeof keysOf>;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: MessengerConfig,
  ) {
    this.ttlMs = config.presence.connectionTtlMs;
    this.keys = keysOf(config.redis.keyPrefix);
  }

  /** Records a socket of `userId`; resolves how many live sockets the user has now. */
  async add(userId: string, socketId: string): Promise<number> {
    const now = Date.now();
    const key = this.keys.sockets(userId);
    const replies = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.ttlMs, socketId)
      .pexpire(key, this.ttlMs)
      .zcard(key)
      .exec();
    return Number(replies?.[3]?.[1] ?? 0);
  }

  /** Forgets a socket; resolves how many live sockets the user has left. */
  async remove(userId: string, socketId: string): Promise<number> {
    const key = this.keys.sockets(userId);
    const replies = await this.redis
      .multi()
      .zrem(key, socketId)
      .zremrangebyscore(key, '-inf', Date.now())
      .zcard(key)
      .exec();
    return Number(replies?.[2]?.[1] ?? 0);
  }

  /** Pushes back the expiry of sockets this instance still holds. */
  async refresh(sockets: ReadonlyArray<{ userId: string; socketId: string }>): Promise<void> {
    if (sockets.length === 0) return;
    const expiry = Date.now() + this.ttlMs;
    const pipeline = this.redis.pipeline();
    for (const { userId, socketId } of sockets) {
      // XX: a socket removed meanwhile is not brought back.
      pipeline.zadd(this.keys.sockets(userId), 'XX', expiry, socketId);
      pipeline.pexpire(this.keys.sockets(userId), this.ttlMs);
      pipeline.zadd(this.keys.online, 'XX', 'GT', expiry, userId);
    }
    await pipeline.exec();
  }

  /**
   * Marks the user as announced online; true only for the first caller, so that across
   * instances and quick reconnects friends hear "online" once per online period.
   */
  async claimOnline(userId: string): Promise<boolean> {
    const added = await this.redis.eval(
      `local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[1], ARGV[2])
       if added == 0 then ${FOLLOW_NEWEST_SOCKET} end
       return added`,
      2,
      this.keys.online,
      this.keys.sockets(userId),
      Date.now() + this.ttlMs,
      userId,
    );
    return Number(added) === 1;
  }

  /**
   * True when the user has no live socket and was announced online: the caller announces
   * "offline" (and the user's last-seen time is recorded). Atomic (Lua), so two instances
   * closing the last sockets at once — or sweeping a dead instance's users — announce once.
   */
  async claimOffline(userId: string): Promise<boolean> {
    const now = Date.now();
    const result = await this.redis.eval(
      `redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
       if redis.call('ZCARD', KEYS[2]) > 0 then ${FOLLOW_NEWEST_SOCKET} return 0 end
       local removed = redis.call('ZREM', KEYS[1], ARGV[2])
       if removed == 1 then redis.call('HSET', KEYS[3], ARGV[2], ARGV[1]) end
       return removed`,
      3,
      this.keys.online,
      this.keys.sockets(userId),
      this.keys.lastSeen,
      now,
      userId,
    );
    return Number(result) === 1;
  }

  /**
   * Users announced online whose newest socket entry has expired: their instance died
   * without closing them. At most `limit`, oldest first.
   */
  async expiredOnline(limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.online, '-inf', Date.now(), 'LIMIT', 0, limit);
  }

  /** Whether each user has a live socket, and when each was last seen (null: never). */
  async presenceOf(
    userIds: readonly string[],
  ): Promise<Array<{ userId: string; online: boolean; lastSeenAt: number | null }>> {
    if (userIds.length === 0) return [];
    const now = Date.now();
    const pipeline = this.redis.pipeline();
    for (const userId of userIds) pipeline.zcount(this.keys.sockets(userId), now, '+inf');
    pipeline.hmget(this.keys.lastSeen, ...userIds);
    const replies = (await pipeline.exec()) ?? [];
    const lastSeen = (replies[userIds.length]?.[1] as Array<string | null> | undefined) ?? [];
    return userIds.map((userId, i) => {
      const online = Number(replies[i]?.[1] ?? 0) > 0;
      const seen = lastSeen[i];
      return { userId, online, lastSeenAt: online ? now : seen ? Number(seen) : null };
    });
  }

  /** When the user was last seen (their last socket closed), or null. */
  async lastSeen(userId: string): Promise<number | null> {
    const seen = await this.redis.hget(this.keys.lastSeen, userId);
    return seen ? Number(seen) : null;
  }
}
