import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RedisConnections } from '@app/platform';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import { ProfileEntity } from '../profiles/entities/profile.entity';

/**
 * The port live profile changes go through: a committed update is published once and
 * reaches `profileUpdated` subscribers on every instance of the service.
 */
export abstract class ProfileUpdates {
  /** Tells subscribers of `profile.id` about its new state. Never throws. */
  abstract publish(profile: ProfileEntity): Promise<void>;
  /** Updates of one profile, as they are published, until the iterator is returned. */
  abstract subscribe(userId: string): AsyncIterableIterator<ProfileEntity>;
}

const channel = (userId: string): string => `profile.updated.${userId}`;

/**
 * {@link ProfileUpdates} over Redis pub/sub, so a subscriber connected to one instance
 * hears about an update committed by another. Delivery is at most once: a live view,
 * not a log (clients re-query after reconnecting).
 */
@Injectable()
export class RedisProfileUpdates extends ProfileUpdates implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisProfileUpdates.name);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly pubsub: RedisPubSub;

  constructor(@Inject(RedisConnections) redis: RedisConnections) {
    super();
    const options = { lazyConnect: true, maxRetriesPerRequest: 2 };
    this.publisher = redis.open('live-pub', options);
    this.subscriber = redis.open('live-sub', options);
    this.pubsub = new RedisPubSub({
      publisher: this.publisher,
      subscriber: this.subscriber,
      // JSON through Redis turns dates into strings; the DateTime scalar wants dates back.
      reviver: (key, value: unknown) =>
        (key === 'createdAt' || key === 'updatedAt') && typeof value === 'string'
          ? new Date(value)
          : value,
    });
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pubsub.close();
  }

  async publish(profile: ProfileEntity): Promise<void> {
    try {
      await this.pubsub.publish(channel(profile.id), profile);
    } catch (err) {
      // The update is committed; a missed live notification must not fail it.
      this.logger.warn({ err, userId: profile.id }, 'Could not publish a live profile update');
    }
  }

  subscribe(userId: string): AsyncIterableIterator<ProfileEntity> {
    return this.pubsub.asyncIterableIterator<ProfileEntity>(
      channel(userId),
    ) as AsyncIterableIterator<ProfileEntity>;
  }
}
