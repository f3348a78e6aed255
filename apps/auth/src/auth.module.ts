import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@app/contracts';
import {
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
  SESSION_REVOCATION_OPTIONS,
  type SessionRevocationOptions,
  SessionRevocations,
} from '@app/platform';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { AccountAuditEntryEntity } from './admin/entities/account-audit-entry.entity';
import { CredentialEntity } from './accounts/entities/credential.entity';
import type { AuthConfig } from './config/auth.config';
import { CreateAuthTables1732500000000 } from './migrations/1732500000000-create-auth-tables';
import { SigningKeyActivation1732600000000 } from './migrations/1732600000000-signing-key-activation';
import { OAuthIdentities1732700000000 } from './migrations/1732700000000-oauth-identities';
import { SessionsRolesSuspension1732800000000 } from './migrations/1732800000000-sessions-roles-suspension';
import { RegistrationsInProgress1732900000000 } from './migrations/1732900000000-registrations-in-progress';
import { RefreshTokenFamilyEntity } from './tokens/entities/refresh-token-family.entity';
import { RefreshTokenEntity } from './tokens/entities/refresh-token.entity';
import { SigningKeyEntity } from './tokens/entities/signing-key.entity';
import { OAuthIdentityEntity } from './oauth/entities/oauth-identity.entity';
import { OAuthModule } from './oauth/oauth.module';
import { SessionsModule } from './sessions/sessions.module';
import { TokensModule } from './tokens/tokens.module';

/** The auth service: credentials, tokens and the `auth.v1.AuthService` gRPC API. */
@Module({})
export class AuthModule {
  static register(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      // Global so that APP_CONFIG reaches every feature module.
      global: true,
      imports: [
        LoggingModule.forRoot({ service: 'auth', level: config.logLevel }),
        HealthModule.forRoot({ shutdownGraceMs: config.shutdownGraceMs }),
        MetricsModule.forRoot({ service: 'auth' }),
        DatabaseModule.forRoot({
          url: config.database.url,
          entities: [
            ...EVENT_ENTITIES,
            CredentialEntity,
            RefreshTokenFamilyEntity,
            RefreshTokenEntity,
            SigningKeyEntity,
            OAuthIdentityEntity,
            AccountAuditEntryEntity,
          ],
          migrations: [
            CreateEventTables1732406400000,
            CreateAuthTables1732500000000,
            SigningKeyActivation1732600000000,
            OAuthIdentities1732700000000,
            SessionsRolesSuspension1732800000000,
            RegistrationsInProgress1732900000000,
            EventTableRetentionIndexes1766000000000,
          ],
        }),
        KafkaModule.forRoot({
          service: 'auth',
          brokers: config.kafka.brokers,
          topicPrefix: config.kafka.topicPrefix,
          topics: [
            Topics.UserRegistered,
            Topics.UserDeleted,
            Topics.SessionRevoked,
            Topics.AccountSuspended,
            Topics.AccountReinstated,
          ],
          outboxPollMs: config.kafka.outboxPollMs,
          retention: config.kafka.retention,
        }),
        RedisModule.forRoot({ url: config.redis.url, connectionName: 'auth' }),
        TokensModule,
        AccountsModule,
        SessionsModule,
        AdminModule,
        OAuthModule,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        // Ended sessions, shared with every service through Redis: auth records them, and
        // refuses their tokens itself like every other verifier (ADR 0022).
        {
          provide: SESSION_REVOCATION_OPTIONS,
          useValue: {
            redisUrl: config.redis.url,
            connectionName: 'auth',
          } satisfies SessionRevocationOptions,
        },
        SessionRevocations,
      ],
      exports: [APP_CONFIG, SessionRevocations],
    };
  }
}
