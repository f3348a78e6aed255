import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/**
 * Domain errors of requests, friendships and blocks; the platform's filters map their
 * kinds to statuses (400/403/404/409).
 */
export const PairErrors = {
  selfRequest: () =>
    new DomainError(
      'INVALID_ARGUMENT',
      ErrorCodes.FRIENDS_SELF_REQUEST,
      'You cannot befriend yourself',
    ),
  selfBlock: () =>
    new DomainError('INVALID_ARGUMENT', ErrorCodes.FRIENDS_SELF_BLOCK, 'You cannot block yourself'),
  userNotFound: () =>
    new DomainError('NOT_FOUND', ErrorCodes.FRIENDS_USER_NOT_FOUND, 'User not found'),
  /** The caller's own registration has not reached friends yet (events are asynchronous). */
  callerNotFound: () =>
    new DomainError(
      'NOT_FOUND',
      ErrorCodes.FRIENDS_USER_NOT_FOUND,
      'Your account is not known to friends yet; try again shortly',
    ),
  alreadyFriends: () =>
    new DomainError(
      'ALREADY_EXISTS',
      ErrorCodes.FRIENDS_ALREADY_FRIENDS,
      'You are already friends',
    ),
  alreadyPending: () =>
    new DomainError(
      'ALREADY_EXISTS',
      ErrorCodes.FRIENDS_ALREADY_PENDING,
      'You already sent this user a friend request',
    ),
  requestNotFound: () =>
    new DomainError('NOT_FOUND', ErrorCodes.FRIENDS_REQUEST_NOT_FOUND, 'Friend request not found'),
  notAddressee: () =>
    new DomainError(
      'PERMISSION_DENIED',
      ErrorCodes.FRIENDS_NOT_ADDRESSEE,
      'Only the user a request was sent to can answer it',
    ),
  notPending: () =>
    new DomainError(
      'FAILED_PRECONDITION',
      ErrorCodes.FRIENDS_REQUEST_NOT_PENDING,
      'The friend request has already been answered or withdrawn',
    ),
  notFriends: () =>
    new DomainError(
      'NOT_FOUND',
      ErrorCodes.FRIENDS_NOT_FRIENDS,
      'You are not friends and have no pending request to this user',
    ),
  /** Said to both sides: the blocker must unblock first, the blocked cannot ask. */
  blocked: () =>
    new DomainError(
      'PERMISSION_DENIED',
      ErrorCodes.FRIENDS_BLOCKED,
      'One of you blocks the other; no friend request is possible',
    ),
  alreadyBlocked: () =>
    new DomainError(
      'ALREADY_EXISTS',
      ErrorCodes.FRIENDS_ALREADY_BLOCKED,
      'You already block this user',
    ),
  notBlocked: () =>
    new DomainError('NOT_FOUND', ErrorCodes.FRIENDS_NOT_BLOCKED, 'You do not block this user'),
  /** Another change to the same pair committed first; the client may retry. */
  concurrentUpdate: () =>
    new DomainError(
      'FAILED_PRECONDITION',
      ErrorCodes.FRIENDS_CONCURRENT_UPDATE,
      'Someone changed this friendship at the same moment; reload and try again',
    ),
};
