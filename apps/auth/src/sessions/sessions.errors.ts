import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/**
 * The caller has no live session of that id. Another user's session is answered the same
 * way, so session ids cannot be probed.
 */
export const sessionNotFound = (): DomainError =>
  new DomainError('NOT_FOUND', ErrorCodes.AUTH_SESSION_NOT_FOUND, 'No such session');
