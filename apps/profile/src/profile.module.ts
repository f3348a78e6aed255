import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Topics } from '@app/contracts';
import { CreateEventTables1732406400000, EVENT_ENTITIES, KafkaModule } from '@app/kafka';
import {
  APP_CONFIG,
  DatabaseModule,
  HealthModule,
  LoggingModule,
  MetricsModule,
  TokenVerificationModule,
} from '@app/platform';
import type { ProfileConfig } from './config/profile.config';
import { graphqlOptions } from './graphql/graphql.options';
import { CreateProfiles1732500000000 } from './migrations/1732500000000-create-profiles';
import { NicknameReservationEntity } from './profiles/entities/nickname-reservation.entity';
import { ProfileEntity } from './profiles/entities/profile.entity';
import { ProfilesModule } from './profiles/profiles.module';

/** Topics profile produces (ProfileUpdated) and consumes (auth's account lifecycle). */
export const PROFILE_TOPICS = [
  Topics.UserRegistered,
  Topics.UserDeleted,
  Topics.ProfileUpdated,
] as const;

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
          entities: [...EVENT_ENTITIES, ProfileEntity, NicknameReservationEntity],
          migrations: [CreateEventTables1732406400000, CreateProfiles1732500000000],
        }),
        KafkaModule.forRoot({
          service: 'profile',
          brokers: config.kafka.brokers,
          groupId: config.kafka.groupId,
          topics: PROFILE_TOPICS,
          outboxPollMs: config.kafka.outboxPollMs,
        }),
        TokenVerificationModule.forRoot(config.auth),
        GraphQLModule.forRoot<ApolloDriverConfig>(graphqlOptions(config)),
        ProfilesModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
