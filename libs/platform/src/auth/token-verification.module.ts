import { DynamicModule, Global, Module } from '@nestjs/common';
import {
  AccessTokenVerifier,
  TOKEN_VERIFICATION_OPTIONS,
  TokenVerificationOptions,
} from './access-token.verifier';
import { BearerAuthGuard } from './bearer-auth.guard';
import {
  SESSION_REVOCATION_OPTIONS,
  SessionRevocationOptions,
  SessionRevocations,
} from './session-revocations';
import { SessionRevokedConsumer } from './session-revoked.consumer';

/**
 * Local verification of access tokens from auth's JWKS, and an HTTP guard using it. With
 * `revocations`, tokens of ended sessions are refused too: the shared revocation set is
 * followed in memory and `auth.session.revoked.v1` is consumed (the app's Kafka topics must
 * include it).
 */
@Global()
@Module({})
export class TokenVerificationModule {
  static forRoot(
    options: TokenVerificationOptions & { revocations?: SessionRevocationOptions },
  ): DynamicModule {
    const { revocations, ...verification } = options;
    const revocationProviders = revocations
      ? [{ provide: SESSION_REVOCATION_OPTIONS, useValue: revocations }, SessionRevocations]
      : [];
    return {
      module: TokenVerificationModule,
      controllers: revocations ? [SessionRevokedConsumer] : [],
      providers: [
        { provide: TOKEN_VERIFICATION_OPTIONS, useValue: verification },
        ...revocationProviders,
        AccessTokenVerifier,
        BearerAuthGuard,
      ],
      exports: [AccessTokenVerifier, BearerAuthGuard, ...(revocations ? [SessionRevocations] : [])],
    };
  }
}
