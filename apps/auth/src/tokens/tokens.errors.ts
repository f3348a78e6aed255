import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/** The access token is malformed, expired, or not signed by one of auth's keys. */
export const invalidAccessToken = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.AUTH_INVALID_TOKEN,
    'Invalid or expired access token',
  );

/**
 * The refresh token is unknown, expired, already used or revoked. One message for all of
 * them: the caller must log in again either way, and the reason helps only an attacker.
 */
export const invalidRefreshToken = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.AUTH_INVALID_TOKEN,
    'Invalid, expired or revoked refresh token',
  );
