import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

export const emailTaken = (): DomainError =>
  new DomainError(
    'ALREADY_EXISTS',
    ErrorCodes.AUTH_EMAIL_TAKEN,
    'This email is already registered',
  );

export const nicknameTaken = (): DomainError =>
  new DomainError(
    'ALREADY_EXISTS',
    ErrorCodes.AUTH_NICKNAME_TAKEN,
    'This nickname is already taken',
  );

/** One message for an unknown email and a wrong password, so neither can be probed. */
export const invalidCredentials = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.AUTH_INVALID_CREDENTIALS,
    'Invalid email or password',
  );

/**
 * An administrator suspended the account. Said only to whoever proved to be its user (a
 * correct password, a valid refresh token), so it reveals nothing to a guesser.
 */
export const accountSuspended = (): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.AUTH_ACCOUNT_SUSPENDED,
    'This account is suspended',
  );

/**
 * An account without a password confirms its deletion with a fresh login: the session
 * making the call must have started within the last few minutes.
 */
export const recentLoginRequired = (minutes: number): DomainError =>
  new DomainError(
    'UNAUTHENTICATED',
    ErrorCodes.AUTH_RECENT_LOGIN_REQUIRED,
    `Log in again and retry within ${minutes} minutes`,
  );

/**
 * The registration took so long that the sweeper took it for dead and released its
 * nickname (ADR 0026); nothing was stored, and trying again may succeed.
 */
export const registrationAbandoned = (): DomainError =>
  new DomainError(
    'UNAVAILABLE',
    ErrorCodes.UNAVAILABLE,
    'Registration took too long and was abandoned, try again',
  );
