import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/** The nickname is held (case-insensitively) by another user's profile or reservation. */
export const nicknameTaken = (nickname: string): DomainError =>
  new DomainError(
    'ALREADY_EXISTS',
    ErrorCodes.PROFILE_NICKNAME_TAKEN,
    `Nickname "${nickname}" is taken`,
  );

/** The caller's own profile does not exist (yet): registration's event is not consumed. */
export const profileNotFound = (): DomainError =>
  new DomainError('NOT_FOUND', ErrorCodes.PROFILE_NOT_FOUND, 'Profile not found');

/** A field only the profile's owner may read was asked for by someone else. */
export const notOwner = (field: string): DomainError =>
  new DomainError('PERMISSION_DENIED', ErrorCodes.FORBIDDEN, `Only the owner may read ${field}`);
