import { Module } from '@nestjs/common';
import { AccessTokensService } from './access-tokens.service';
import { EdgeAuthenticationController } from './edge-authentication.controller';
import { JwksController } from './jwks.controller';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

/**
 * Access tokens (ES256 JWTs), their signing keys and JWKS, and sessions (refresh-token
 * families) with their revocation.
 */
@Module({
  controllers: [JwksController, EdgeAuthenticationController],
  providers: [
    SigningKeysRepository,
    SigningKeysService,
    AccessTokensService,
    RefreshTokensRepository,
    RefreshTokensService,
  ],
  exports: [AccessTokensService, RefreshTokensService],
})
export class TokensModule {}
