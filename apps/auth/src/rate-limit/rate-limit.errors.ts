import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/**
 * Too many attempts from this client or for this account. Carries when to retry, which the
 * transports send as `Retry-After` (HTTP header, gRPC trailer `retry-after`). The message
 * is the same whichever limit tripped and whether the account exists.
 */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('RESOURCE_EXHAUSTED', ErrorCodes.RATE_LIMITED, 'Too many attempts, try again later');
  }
}
