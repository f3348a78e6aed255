import { ErrorCodes } from '@app/contracts';
import { DomainError, validationFailed } from '@app/platform';

/** The caller's token lacks the admin role, or the account no longer has it. */
export const adminOnly = (): DomainError =>
  new DomainError('PERMISSION_DENIED', ErrorCodes.FORBIDDEN, 'Administrators only');

export const accountNotFound = (): DomainError =>
  new DomainError('NOT_FOUND', ErrorCodes.AUTH_ACCOUNT_NOT_FOUND, 'No such account');

/** An administrator suspending their own account would lock themselves out. */
export const cannotSuspendSelf = (): DomainError =>
  validationFailed(
    [{ field: 'userId', message: 'an administrator cannot suspend their own account' }],
    'An administrator cannot suspend their own account',
  );
