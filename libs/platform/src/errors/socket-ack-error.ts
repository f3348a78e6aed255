import type { Logger } from '@nestjs/common';
import type { SocketApi } from '@app/contracts';
import { toDomainError } from './normalise-error';

/**
 * The error half of a socket.io acknowledgement (`{ok: false, error}`): the code, message
 * and details of the error's {@link toDomainError} reading (acknowledgements carry codes,
 * not statuses). An unexpected error is logged with the event.
 */
export function toSocketAckError(
  error: unknown,
  logger: Logger,
  event: string,
): SocketApi.AckError {
  const { code, message, details } = toDomainError(error, {
    logger,
    where: 'in a socket.io handler',
    context: { event },
  });
  return { code, message, ...(details ? { details: [...details] } : {}) };
}
