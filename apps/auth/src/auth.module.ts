import { DynamicModule, Module } from '@nestjs/common';
import { Topics } from '@app/contracts';
import { CreateEventTables1732406400000, EVENT_ENTITIES, KafkaModule } from '@app/kafka';
import {
  APP_CONFIG,
  DatabaseModule,
  HealthModule,
  LoggingModule,
  MetricsModule,
} from '@app/platform';
import { AccountsModule } from './accounts/accounts.module';
import { CredentialEntity } from './accounts/entities/credential.entity';
import type { AuthConfig } from './config/auth.config';
import { CreateAuthTables1732500000000 } from './migrations/1732500000000-create-auth-tables';
import { SigningKeyActivation1732600000000 } from './migrations/1732600000000-signing-key-activation';
import { OAuthIdentities1732700000000 } from './migrations/1732700000000-oauth-identities';
import { RefreshTokenFamilyEntity } from './tokens/entities/refresh-token-family.entity';
import { RefreshTokenEntity } from './tokens/entities/refresh-token.entity';
import { SigningKeyEntity } from './tokens/entities/signing-key.entity';
import { OAuthIdentityEntity } from './oauth/entities/oauth-identity.entity';
import { OAuthModule } from './oauth/oauth.module';
import { RedisModule } from './rate-limit/redis.module';
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
          ],
          migrations: [
            CreateEventTables1732406400000,
            CreateAuthTables1732500000000,
            SigningKeyActivation1732600000000,
            OAuthIdentities1732700000000,
          ],
        }),
        KafkaModule.forRoot({
          service: 'auth',
          brokers: config.kafka.brokers,
          // Produced now (UserRegistered) and once account deletion lands (UserDeleted).
          topics: [Topics.UserRegistered, Topics.UserDeleted],
          outboxPollMs: config.kafka.outboxPollMs,
        }),
        RedisModule,
        TokensModule,
        AccountsModule,
        OAuthModule,
      ],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
