import { DynamicModule, Global, Module } from '@nestjs/common';
import {
  AccessTokenVerifier,
  TOKEN_VERIFICATION_OPTIONS,
  TokenVerificationOptions,
} from './access-token.verifier';
import { BearerAuthGuard } from './bearer-auth.guard';

/** Local verification of access tokens from auth's JWKS, and an HTTP guard using it. */
@Global()
@Module({})
export class TokenVerificationModule {
  static forRoot(options: TokenVerificationOptions): DynamicModule {
    return {
      module: TokenVerificationModule,
      providers: [
        { provide: TOKEN_VERIFICATION_OPTIONS, useValue: options },
        AccessTokenVerifier,
        BearerAuthGuard,
      ],
      exports: [AccessTokenVerifier, BearerAuthGuard],
    };
  }
}
