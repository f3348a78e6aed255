import { DynamicModule, Module } from '@nestjs/common';
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
  RedisModule,
  TokenVerificationModule,
} from '@app/platform';
import { ChatsModule } from './chats/chats.module';
import { ChatMemberEntity } from './chats/entities/chat-member.entity';
import { ChatEntity } from './chats/entities/chat.entity';
import type { MessengerConfig } from './config/messenger.config';
import { MessageEntity } from './messages/entities/message.entity';
import { MessagesModule } from './messages/messages.module';
import { CreateMessengerTables1732600000000 } from './migrations/1732600000000-create-messenger-tables';
import { ReadModelAndReplicas1732700000000 } from './migrations/1732700000000-read-model-and-replicas';
import { ChatTimeline1765000000000 } from './migrations/1765000000000-chat-timeline';
import { GroupCommit1766100000000 } from './migrations/1766100000000-group-commit';
import { LeanFlush1766200000000 } from './migrations/1766200000000-lean-flush';
import { FriendEventsModule } from './friends-client/friend-events.module';
import { PresenceModule } from './presence/presence.module';
import { RealtimeModule } from './realtime/realtime.module';
import { UsersModule } from './users/users.module';

/**
 * Topics messenger produces (MessageSent, ChatChanged) and consumes (users, profiles,
 * friend requests, friendships, blocks).
 */
export const MESSENGER_TOPICS = [
  Topics.MessageSent,
  Topics.ChatChanged,
  Topics.FriendRequestSent,
  Topics.UserRegistered,
  Topics.UserDeleted,
  Topics.SessionRevoked,
  Topics.ProfileUpdated,
  Topics.FriendRequestAccepted,
  Topics.FriendshipRemoved,
  Topics.UserBlocked,
  Topics.UserUnblocked,
] as const;

/** The messenger service: chats and messages over socket.io. */
@Module({})
export class MessengerModule {
  static register(config: MessengerConfig): DynamicModule {
    return {
      module: MessengerModule,
      // Global so that APP_CONFIG reaches every feature module.
      global: true,
      imports: [
        LoggingModule.forRoot({ service: 'messenger', level: config.logLevel }),
        HealthModule.forRoot({ shutdownGraceMs: config.shutdownGraceMs }),
        MetricsModule.forRoot({ service: 'messenger', socketIo: true }),
        DatabaseModule.forRoot({
          url: config.database.url,
          entities: [...EVENT_ENTITIES, ChatEntity, ChatMemberEntity, MessageEntity],
          migrations: [
            CreateEventTables1732406400000,
            CreateMessengerTables1732600000000,
            ReadModelAndReplicas1732700000000,
            CreateAppliedVersions1764000000000,
            ChatTimeline1765000000000,
            EventTableRetentionIndexes1766000000000,
            GroupCommit1766100000000,
            LeanFlush1766200000000,
          ],
        }),
        KafkaModule.forRoot({
          service: 'messenger',
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix,
          groupId: config.kafka.groupId,
          topics: MESSENGER_TOPICS,
          outboxPollMs: config.kafka.outboxPollMs,
          retention: config.kafka.retention,
        }),
        TokenVerificationModule.forRoot({
          ...config.auth,
          revocations: { redisUrl: config.redis.url, connectionName: 'messenger' },
        }),
        RedisModule.forRoot({ url: config.redis.url, connectionName: 'messenger' }),
        RealtimeModule,
        ChatsModule,
        MessagesModule,
        PresenceModule,
        FriendEventsModule,
        UsersModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
