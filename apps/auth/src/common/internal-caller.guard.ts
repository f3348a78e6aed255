import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { APP_CONFIG, DomainError } from '@app/platform';
import { Metadata } from '@grpc/grpc-js';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthConfig } from '../config/auth.config';

/** Metadata key (gRPC) and header (HTTP) carrying the internal callers' shared secret. */
export const INTERNAL_TOKEN_KEY = 'x-internal-token';

/**
 * Lets through only calls that carry the internal callers' secret (`INTERNAL_API_TOKEN`)
 * as `x-internal-token` metadata or header: other services, not end-user clients. Without
 * it — or when auth has no secret configured — the call is UNAUTHENTICATED. See
 * docs/adr/0010-auth-internal-calls.md.
 */
@Injectable()
export class InternalCallerGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(APP_CONFIG) config: AuthConfig) {
    this.expected = config.internalApiToken ? digest(config.internalApiToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const presented = presentedToken(context);
    // Digests have equal length, so the comparison takes the same time for any input.
    if (this.expected && presented && timingSafeEqual(digest(presented), this.expected)) {
      return true;
    }
    throw new DomainError(
      'UNAUTHENTICATED',
      ErrorCodes.UNAUTHENTICATED,
      'This method is for internal callers; send their credentials',
    );
  }
}

function presentedToken(context: ExecutionContext): string | undefined {
  if (context.getType() === 'http') {
    const value = context.switchToHttp().getRequest<Request>().headers[INTERNAL_TOKEN_KEY];
    return typeof value === 'string' ? value : undefined;
  }
  const metadata = context.switchToRpc().getContext<unknown>();
  if (!(metadata instanceof Metadata)) return undefined;
  const value = metadata.get(INTERNAL_TOKEN_KEY)[0];
  return typeof value === 'string' ? value : undefined;
}

const digest = (value: string) => createHash('sha256').update(value).digest();
