import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

export const chatNotFound = (): DomainError =>
  new DomainError('NOT_FOUND', ErrorCodes.MESSENGER_CHAT_NOT_FOUND, 'Chat not found');

/** Also the answer for a chat that does not exist: outsiders learn nothing from a chat id. */
export const notAMember = (): DomainError =>
  new DomainError(
    'PERMISSION_DENIED',
    ErrorCodes.MESSENGER_CHAT_NOT_MEMBER,
    'You are not a member of this chat',
  );

/** Said both for "not friends" and "blocked" (either way), so a block is not revealed. */
export const notFriends = (): DomainError =>
  new DomainError(
    'FAILED_PRECONDITION',
    ErrorCodes.MESSENGER_NOT_FRIENDS,
    'Only friends can be messaged or added to a chat',
  );

export const invalidMembers = (message: string): DomainError =>
  new DomainError('INVALID_ARGUMENT', ErrorCodes.MESSENGER_INVALID_MEMBERS, message);

/** The caller's role (or authorship) does not allow the change. */
export const forbidden = (message: string): DomainError =>
  new DomainError('PERMISSION_DENIED', ErrorCodes.MESSENGER_FORBIDDEN, message);

export const notAGroup = (): DomainError =>
  new DomainError(
    'FAILED_PRECONDITION',
    ErrorCodes.MESSENGER_NOT_A_GROUP,
    'Only group chats have titles, roles and members to change',
  );
