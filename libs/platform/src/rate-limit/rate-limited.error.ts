import { ErrorCodes } from '@app/contracts';
import { DomainError } from '../errors/domain-error';

/**
 * A caller went over its request limit. Carries when to retry, which HTTP sends as
 * `Retry-After`; RESOURCE_EXHAUSTED maps to 429, gRPC RESOURCE_EXHAUSTED and GraphQL
 * `RATE_LIMITED`.
 */
export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('RESOURCE_EXHAUSTED', ErrorCodes.RATE_LIMITED, 'Too many requests, try again later');
  }
}
