import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Topics } from '@app/contracts';
import {
  CreateAppliedVersions1764000000000,
  CreateEventTables1732406400000,
  EVENT_ENTITIES,
  EventTableRetentionIndexes1766000000000,
  KafkaModule,
} from '@app/kafka';
import {
  AccessTokenVerifier,
  APP_CONFIG,
  DatabaseModule,
  HealthModule,
  LoggingModule,
  MetricsModule,
  RateLimitModule,
  RedisModule,
  TokenVerificationModule,
} from '@app/platform';
import type { ProfileConfig } from './config/profile.config';
import { formatGraphQLError } from './graphql/format-error';
import { graphqlOptions } from './graphql/graphql.options';
import { CreateProfiles1732500000000 } from './migrations/1732500000000-create-profiles';
import { FriendshipsSearchEmail1732600000000 } from './migrations/1732600000000-friendships-search-email';
import { FriendshipEntity } from './friendships/entities/friendship.entity';
import { NicknameReservationEntity } from './profiles/entities/nickname-reservation.entity';
import { ProfileEntity } from './profiles/entities/profile.entity';
import { ProfilesModule } from './profiles/profiles.module';

/** Topics profile produces (ProfileUpdated) and consumes (accounts and friendships). */
export const PROFILE_TOPICS = [
  Topics.UserRegistered,
  Topics.UserDeleted,
  Topics.SessionRevoked,
  Topics.ProfileUpdated,
  Topics.FriendRequestAccepted,
  Topics.FriendshipRemoved,
] as const;

export const PROFILE_ENTITIES = [
  ...EVENT_ENTITIES,
  ProfileEntity,
  NicknameReservationEntity,
  FriendshipEntity,
];
export const PROFILE_MIGRATIONS = [
  CreateEventTables1732406400000,
  CreateProfiles1732500000000,
  FriendshipsSearchEmail1732600000000,
  CreateAppliedVersions1764000000000,
  EventTableRetentionIndexes1766000000000,
];

/** The profile service: profiles and unique nicknames, over GraphQL and internal gRPC. */
@Module({})
export class ProfileModule {
  static register(config: ProfileConfig): DynamicModule {
    return {
      module: ProfileModule,
      global: true,
      imports: [
        LoggingModule.forRoot({ service: 'profile', level: config.logLevel }),
        HealthModule.forRoot({ shutdownGraceMs: config.shutdownGraceMs }),
        MetricsModule.forRoot({ service: 'profile' }),
        DatabaseModule.forRoot({
          url: config.database.url,
          entities: PROFILE_ENTITIES,
          migrations: PROFILE_MIGRATIONS,
        }),
        KafkaModule.forRoot({
          service: 'profile',
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix,
          groupId: config.kafka.groupId,
          topics: PROFILE_TOPICS,
          outboxPollMs: config.kafka.outboxPollMs,
          retention: config.kafka.retention,
        }),
        // Each request's token is verified by the rate limit and again by the GraphQL guard;
        // clients send the same token every time, so its signature is checked once a minute.
        TokenVerificationModule.forRoot({
          ...config.auth,
          verifiedTokenCacheSize: 10_000,
          revocations: { redisUrl: config.redis.url, connectionName: 'profile' },
        }),
        RedisModule.forRoot({ url: config.redis.url, connectionName: 'profile' }),
        // Every HTTP request to /graphql, per user (else per address); refused as GraphQL
        // errors are, with extensions.code RATE_LIMITED.
        RateLimitModule.forRoot({
          ...config.rateLimit,
          keyPrefix: config.redis.keyPrefix,
          refusalBody: (error) => ({
            errors: [formatGraphQLError({ message: error.message }, error)],
          }),
        }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [AccessTokenVerifier],
          useFactory: (verifier: AccessTokenVerifier) => graphqlOptions(config, verifier),
        }),
        ProfilesModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
