import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import type { Request } from 'express';
import { APP_CONFIG } from '../config/load-config';
import { DomainError } from '../errors/domain-error';
import {
  INTERNAL_CALLERS_ONLY,
  INTERNAL_TOKEN_KEY,
  InternalCredential,
} from './internal-credential';

/** What the guard reads from a service's config (`APP_CONFIG`). */
export interface InternalCallsConfig {
  /** `INTERNAL_API_TOKEN` (`internalCallsEnvSchema`). */
  internalApiToken?: string;
}

/**
 * Guards the HTTP twin of an internal RPC (auth's `POST /v1/auth/validate`): the request
 * must carry the service credential as the `x-internal-token` header, or it is
 * UNAUTHENTICATED (`COMMON.UNAUTHENTICATED`). gRPC servers check their calls themselves
 * (`internalCallsInterceptor`); anything but HTTP is refused here. See
 * docs/adr/0015-internal-grpc-service-credentials.md.
 */
@Injectable()
export class InternalCallerGuard implements CanActivate {
  private readonly credential: InternalCredential;

  constructor(@Inject(APP_CONFIG) config: InternalCallsConfig) {
    this.credential = new InternalCredential(config.internalApiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const presented =
      context.getType() === 'http'
        ? context.switchToHttp().getRequest<Request>().headers[INTERNAL_TOKEN_KEY]
        : undefined;
    if (this.credential.accepts(presented)) return true;
    throw new DomainError('UNAUTHENTICATED', ErrorCodes.UNAUTHENTICATED, INTERNAL_CALLERS_ONLY);
  }
}
