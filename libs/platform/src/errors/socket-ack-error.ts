import { HttpException, type Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import type { SocketApi } from '@app/contracts';
import { asOutage } from './dependency-outage';
import { isDomainError } from './domain-error';
import { SHARED_CODE_OF } from './transport-status';

/**
 * The error half of a socket.io acknowledgement (`{ok: false, error}`): a domain error
 * keeps its code and details; Nest's guards and pipes, whose messages are safe to show,
 * answer the shared validation code; a dependency outage answers UNAVAILABLE; anything
 * else is logged (with the event) and masked.
 */
export function toSocketAckError(
  error: unknown,
  logger: Logger,
  event: string,
): SocketApi.AckError {
  const exception = asOutage(error, logger) ?? error;
  if (isDomainError(exception)) {
    return {
      code: exception.code,
      message: exception.message,
      ...(exception.details ? { details: [...exception.details] } : {}),
    };
  }
  if (exception instanceof WsException || exception instanceof HttpException) {
    return { code: SHARED_CODE_OF.INVALID_ARGUMENT, message: exception.message };
  }
  logger.error({ err: exception, event }, 'Unhandled error in a socket.io handler');
  return { code: SHARED_CODE_OF.INTERNAL, message: 'Internal server error' };
}
