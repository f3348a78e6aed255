import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../redis/redis.module';

/** A socket entry not refreshed for this long belongs to a dead instance and is ignored. */
export const CONNECTION_TTL_MS = 90_000;
/** How often each instance refreshes the entries of its live sockets. */
export const HEARTBEAT_MS = 30_000;

const socketsKey = (userId: string) => `messenger:sockets:${userId}`;
const announcedKey = (userId: string) => `messenger:online:${userId}`;

/**
 * The open sockets of every user across all messenger instances, in Redis: one sorted set
 * per user, socket id → expiry. Instances refresh their sockets' expiry on a heartbeat, so
 * the sockets of an instance killed without a goodbye drop out on their own. Counts here
 * drive the per-user connection limit and presence.
 */
@Injectable()
export class ConnectionRegistry {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  /** Records a socket of `userId`; resolves how many live sockets the user has now. */
  async add(userId: string, socketId: string): Promise<number> {
    const now = Date.now();
    const key = socketsKey(userId);
    const replies = await this.redis
      .multi()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + CONNECTION_TTL_MS, socketId)
      .pexpire(key, CONNECTION_TTL_MS)
      .zcard(key)
      .exec();
    return Number(replies?.[3]?.[1] ?? 0);
  }

  /** Forgets a socket; resolves how many live sockets the user has left. */
  async remove(userId: string, socketId: string): Promise<number> {
    const key = socketsKey(userId);
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
    const expiry = Date.now() + CONNECTION_TTL_MS;
    const pipeline = this.redis.pipeline();
    for (const { userId, socketId } of sockets) {
      // XX: a socket removed meanwhile is not brought back.
      pipeline.zadd(socketsKey(userId), 'XX', expiry, socketId);
      pipeline.pexpire(socketsKey(userId), CONNECTION_TTL_MS);
      pipeline.pexpire(announcedKey(userId), CONNECTION_TTL_MS);
    }
    await pipeline.exec();
  }

  /**
   * Marks the user as announced online; true only for the first caller, so that across
   * instances and quick reconnects friends hear "online" once per online period.
   */
  async claimOnline(userId: string): Promise<boolean> {
    // Expires like the socket entries (and is refreshed with them), so the mark of a user
    // whose instance was killed fades out too and their next connection is announced.
    const reply = await this.redis.set(announcedKey(userId), '1', 'PX', CONNECTION_TTL_MS, 'NX');
    return reply === 'OK';
  }

  /**
   * True when the user has no live socket and was announced online: the caller announces
   * "offline". Atomic (Lua), so two instances closing the last sockets at once announce once.
   */
  async claimOffline(userId: string): Promise<boolean> {
    const result = await this.redis.eval(
      `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
       if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
       return redis.call('DEL', KEYS[2])`,
      2,
      socketsKey(userId),
      announcedKey(userId),
      Date.now(),
    );
    return Number(result) === 1;
  }

  /** Whether the user has a live socket on any instance. */
  async isOnline(userId: string): Promise<boolean> {
    return (await this.redis.zcount(socketsKey(userId), Date.now(), '+inf')) > 0;
  }
}
