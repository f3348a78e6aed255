import { ErrorCodes } from '@app/contracts';
import { DomainError, validationFailed } from '@app/platform';

/** The sender already used this idempotency key for a message of another chat. */
export const clientMessageIdReused = (): DomainError =>
  validationFailed(
    [{ field: 'clientMessageId', message: 'already used in another chat' }],
    'clientMessageId was already used for a message of another chat',
  );

/** `field` names no message of the chat (a history cursor, a read marker, a reply). */
export const notAMessageOfTheChat = (field: string): DomainError =>
  validationFailed(
    [{ field, message: 'not a message of this chat' }],
    `${field} does not name a message of this chat`,
  );

/** The message to show or change is not in the chat. */
export const messageNotFound = (): DomainError =>
  new DomainError('NOT_FOUND', ErrorCodes.MESSENGER_MESSAGE_NOT_FOUND, 'Message not found');

export const messageDeleted = (): DomainError =>
  new DomainError(
    'FAILED_PRECONDITION',
    ErrorCodes.MESSENGER_MESSAGE_DELETED,
    'The message was deleted',
  );
