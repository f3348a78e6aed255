import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

export const unknownProvider = (): DomainError =>
  new DomainError('NOT_FOUND', ErrorCodes.NOT_FOUND, 'No such OAuth provider');

/** The callback's `state` is missing, expired, already used, or was issued to another browser. */
export const invalidOAuthState = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.UNAUTHENTICATED,
    'OAuth login could not be verified: start again',
  );

/** The provider refused the code (wrong, expired or reused) or did not answer sensibly. */
export const oauthNotConfirmed = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.UNAUTHENTICATED,
    'The provider did not confirm the login',
  );

/** Without an email there is nothing to register the account under. */
export const oauthEmailMissing = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.UNAUTHENTICATED,
    'The provider did not share an email address',
  );

/**
 * An account with this email exists, and the provider does not vouch for the address:
 * linking would let whoever controls the provider account take the existing one over.
 */
export const oauthEmailUnverified = (): DomainError =>
  new DomainError(
    'ALREADY_EXISTS',
    ErrorCodes.AUTH_EMAIL_TAKEN,
    'An account with this email exists; log in with its password',
  );
