import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { ErrorCodes } from '@app/contracts';
import { asOutage, isDomainError } from '@app/platform';
import type { Socket } from 'socket.io';
import type { Ack, AckError } from './ack';

/**
 * The socket.io mapping of errors: a failed event is answered through its acknowledgement
 * with `{ok: false, error: {code, message}}`, never with Nest's default `exception`
 * event. Domain errors keep their code; anything unexpected is logged and masked.
 */
@Catch()
export class WsAckExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const error = this.toAckError(exception, ws.getPattern());
    const reply: Ack = { ok: false, error };
    // The ack is the last function among the handler's arguments (client, data, ack, pattern).
    const ack = host.getArgs<unknown[]>().find((arg) => typeof arg === 'function') as
      ((reply: Ack) => void) | undefined;
    if (ack) ack(reply);
    else ws.getClient<Socket>().emit('exception', reply);
  }

  private toAckError(error: unknown, pattern: string): AckError {
    const exception = asOutage(error, this.logger) ?? error;
    if (isDomainError(exception)) {
      return {
        code: exception.code,
        message: exception.message,
        ...(exception.details ? { details: [...exception.details] } : {}),
      };
    }
    if (exception instanceof WsException || exception instanceof HttpException) {
      // Only Nest's own guards and pipes throw these; their messages are safe to show.
      return { code: ErrorCodes.VALIDATION_FAILED, message: exception.message };
    }
    this.logger.error({ err: exception, event: pattern }, 'Unhandled error in a socket.io handler');
    return { code: ErrorCodes.INTERNAL, message: 'Internal server error' };
  }
}
