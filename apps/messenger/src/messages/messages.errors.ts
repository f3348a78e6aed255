import { ErrorCodes } from '@app/contracts';
import { DomainError } from '@app/platform';

/** The sender already used this idempotency key for a message of another chat. */
export const clientMessageIdReused = (): DomainError =>
  new DomainError(
    'INVALID_ARGUMENT',
    ErrorCodes.VALIDATION_FAILED,
    'clientMessageId was already used for a message of another chat',
    [{ field: 'clientMessageId', message: 'already used in another chat' }],
  );

/** `before` names no message of the chat. */
export const unknownCursor = (): DomainError =>
  new DomainError(
    'INVALID_ARGUMENT',
    ErrorCodes.VALIDATION_FAILED,
    'before does not name a message of this chat',
    [{ field: 'before', message: 'not a message of this chat' }],
  );

/** `messageId` names no message of the chat. */
export const unknownMessage = (): DomainError =>
  new DomainError(
    'INVALID_ARGUMENT',
    ErrorCodes.VALIDATION_FAILED,
    'messageId does not name a message of this chat',
    [{ field: 'messageId', message: 'not a message of this chat' }],
  );
