import { Injectable, Logger } from '@nestjs/common';
import { SocketApi } from '@app/contracts';
import { parsePayload, toSocketAckError } from '@app/platform';
import type { Ack } from './ack';
import type { AuthenticatedSocket } from './socket-user';

type EventName = SocketApi.ClientEventName;

/** A lean event's handler: the socket and its checked payload in, the ack's body out. */
export type LeanHandler<E extends EventName> = (
  socket: AuthenticatedSocket,
  input: SocketApi.ValidClientPayload<E>,
) => Promise<{ ok: true } & SocketApi.AckBody<E>>;

/** What binding needs of a socket: socket.io's listener registration. */
interface ListeningSocket {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * The lean path of the hottest client events (issue 17 §2: `message:send`, `typing`): a
 * plain socket.io listener, shared by every socket, that checks the payload against the
 * event's schema in the socket API contract and calls the handler — no Nest execution
 * context, parameter decorators, pipes, filter lookup or Observable per event. (Bench A1,
 * which is `typing`: server CPU per delivery 1.49× the bare relay's before, 1.17× after, in
 * the quiet full runs of 2026-12-03 and 12-04.)
 *
 * Behaviour is the Nest path's, event for event: the payload is checked by the same
 * `parsePayload` as `@Payload(event)` (an absent payload as `{}`); the handler's result is
 * the acknowledgement; any error — a refused payload, the rate bucket, a domain rule, a
 * bug — is answered as `{ok: false, error}` by the same `toSocketAckError` as
 * `WsAckExceptionFilter`, or emitted as `exception` when the client sent no ack. The
 * listener sits on the event itself, so socket.io's per-socket middlewares (the metrics
 * timer) run first, as for every other event.
 *
 * Features register handlers while the application initialises (`onModuleInit`);
 * {@link MessengerIoAdapter} binds them to every socket with the gateways' handlers.
 */
@Injectable()
export class LeanEvents {
  // The exception filter's logger: unexpected errors are logged the same way on both paths.
  private readonly logger = new Logger('Errors');
  private readonly listeners = new Map<
    string,
    (this: ListeningSocket, ...args: unknown[]) => void
  >();

  /** Handles `event` on every socket through `handler`; one handler per event. */
  handle<E extends EventName>(event: E, handler: LeanHandler<E>): void {
    if (this.listeners.has(event)) throw new Error(`"${event}" has a lean handler already`);
    const schema = SocketApi.ClientEventSchemas[event].payload;
    const logger = this.logger;
    this.listeners.set(event, function (this: ListeningSocket, ...args: unknown[]) {
      const socket = this as unknown as AuthenticatedSocket;
      const ack =
        typeof args.at(-1) === 'function' ? (args.pop() as (reply: Ack<object>) => void) : null;
      const answer = async (): Promise<Ack<object>> => {
        try {
          const input = parsePayload(schema, args[0]) as SocketApi.ValidClientPayload<E>;
          return await handler(socket, input);
        } catch (error) {
          return { ok: false, error: toSocketAckError(error, logger, event) };
        }
      };
      answer()
        .then((reply) => {
          if (ack) ack(reply);
          else if (!reply.ok) (socket as unknown as { emit: EmitAny }).emit('exception', reply);
        })
        .catch((error: unknown) => logger.error({ err: error, event }, 'unhandled event error'));
    });
  }

  /** Listens for the lean events on a new socket. */
  bind(socket: ListeningSocket): void {
    for (const [event, listener] of this.listeners) socket.on(event, listener);
  }
}

type EmitAny = (event: string, ...args: unknown[]) => boolean;
