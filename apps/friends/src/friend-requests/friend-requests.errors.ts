import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/** Domain errors of friend requests; the platform's filters map their kinds to statuses. */
export const FriendRequestErrors = {
  selfRequest: () =>
    new DomainError(
      'INVALID_ARGUMENT',
      ErrorCodes.FRIENDS_SELF_REQUEST,
      'You cannot befriend yourself',
    ),
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
  notPending: (status: string) =>
    new DomainError(
      'FAILED_PRECONDITION',
      ErrorCodes.FRIENDS_REQUEST_NOT_PENDING,
      `The friend request is already ${status}`,
    ),
};
