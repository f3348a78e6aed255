import { DynamicModule, Global, Module } from '@nestjs/common';
import { Topics } from '@app/contracts';
import {
  CreateAppliedVersions1764000000000,
  CreateEventTables1732406400000,
  EVENT_ENTITIES,
  EventTableRetentionIndexes1766000000000,
  KafkaModule,
} from '@app/kafka';
import {
  APP_CONFIG,
  DatabaseModule,
  HealthModule,
  LoggingModule,
  MetricsModule,
  RateLimitModule,
  RedisModule,
  TokenVerificationModule,
} from '@app/platform';
import { BlockEntity } from './blocks/entities/block.entity';
import { BlocksModule } from './blocks/blocks.module';
import { FriendsConfig } from './config/friends.config';
import { FriendRequestEntity } from './friend-requests/entities/friend-request.entity';
import { FriendRequestsModule } from './friend-requests/friend-requests.module';
import { FriendshipEntity } from './friendships/entities/friendship.entity';
import { FriendshipsModule } from './friendships/friendships.module';
import { CreateFriendsTables1732500000000 } from './migrations/1732500000000-create-friends-tables';
import { EventSourcedPairs1732600000000 } from './migrations/1732600000000-event-sourced-pairs';
import { CreateIdempotencyKeys1732700000000 } from './migrations/1732700000000-create-idempotency-keys';
import { IdempotencyKeyEntity } from './idempotency/entities/idempotency-key.entity';
import { IdempotencyModule } from './idempotency/idempotency.module';
import { PairEventEntity } from './pairs/entities/pair-event.entity';
import { PairEntity } from './pairs/entities/pair.entity';
import { UserEntity } from './users/entities/user.entity';
import { UsersModule } from './users/users.module';

/** The friends service: friend requests, friendships and blocks over REST, checks over gRPC. */
@Global()
@Module({})
export class FriendsModule {
  static register(config: FriendsConfig): DynamicModule {
    return {
      module: FriendsModule,
      imports: [
        LoggingModule.forRoot({ service: 'friends', level: config.logLevel }),
        HealthModule.forRoot({ shutdownGraceMs: config.shutdownGraceMs }),
        MetricsModule.forRoot({ service: 'friends' }),
        DatabaseModule.forRoot({
          url: config.database.url,
          entities: [
            ...EVENT_ENTITIES,
            UserEntity,
            PairEntity,
            PairEventEntity,
            FriendRequestEntity,
            FriendshipEntity,
            BlockEntity,
            IdempotencyKeyEntity,
          ],
          migrations: [
            CreateEventTables1732406400000,
            CreateFriendsTables1732500000000,
            EventSourcedPairs1732600000000,
            CreateIdempotencyKeys1732700000000,
            CreateAppliedVersions1764000000000,
            EventTableRetentionIndexes1766000000000,
          ],
        }),
        KafkaModule.forRoot({
          service: 'friends',
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix,
          groupId: config.kafka.groupId,
          outboxPollMs: config.kafka.outboxPollMs,
          retention: config.kafka.retention,
          topics: [
            // produced
            Topics.FriendRequestSent,
            Topics.FriendRequestAccepted,
            Topics.FriendRequestDeclined,
            Topics.FriendshipRemoved,
            Topics.FriendRequestCancelled,
            Topics.UserBlocked,
            Topics.UserUnblocked,
            // consumed
            Topics.UserRegistered,
            Topics.UserDeleted,
            Topics.SessionRevoked,
          ],
        }),
        // Clients send the same token with every request: verify its signature once a minute,
        // not on every request.
        TokenVerificationModule.forRoot({
          ...config.auth,
          verifiedTokenCacheSize: 10_000,
          revocations: { redisUrl: config.redis.url, connectionName: 'friends' },
        }),
        RedisModule.forRoot({ url: config.redis.url, connectionName: 'friends' }),
        // Every REST route but health, metrics and docs, per user (else per address).
        RateLimitModule.forRoot({ ...config.rateLimit, keyPrefix: config.redis.keyPrefix }),
        IdempotencyModule,
        UsersModule,
        FriendshipsModule,
        FriendRequestsModule,
        BlocksModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
