import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { toSocketAckError } from '@app/platform';
import type { Socket } from 'socket.io';
import type { Ack } from './ack';

/**
 * socket.io's exception filter: a failed event is answered through its acknowledgement
 * with `{ok: false, error: {code, message}}` (the platform's {@link toSocketAckError}),
 * never with Nest's default `exception` event.
 */
@Catch()
export class WsAckExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    const reply: Ack = {
      ok: false,
      error: toSocketAckError(exception, this.logger, ws.getPattern()),
    };
    // The ack is the last function among the handler's arguments (client, data, ack, pattern).
    const ack = host.getArgs<unknown[]>().find((arg) => typeof arg === 'function') as
      ((reply: Ack) => void) | undefined;
    if (ack) ack(reply);
    else ws.getClient<Socket>().emit('exception', reply);
  }
}
