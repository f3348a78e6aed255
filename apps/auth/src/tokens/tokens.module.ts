import { Module } from '@nestjs/common';
import { AccessTokensService } from './access-tokens.service';
import { JwksController } from './jwks.controller';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { RefreshTokensService } from './refresh-tokens.service';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

/** Access tokens (ES256 JWTs), their signing keys and JWKS, and refresh-token families. */
@Module({
  controllers: [JwksController],
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
