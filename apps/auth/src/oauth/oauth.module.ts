import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { OAuthIdentitiesRepository } from './oauth-identities.repository';
import { OAuthController } from './oauth.controller';
import { OAuthProviders } from './oauth-providers';
import { OAuthService } from './oauth.service';

/** OAuth2 login against the providers of `OAUTH_PROVIDERS`. */
@Module({
  imports: [AccountsModule],
  controllers: [OAuthController],
  providers: [OAuthProviders, OAuthService, OAuthIdentitiesRepository],
})
export class OAuthModule {}
