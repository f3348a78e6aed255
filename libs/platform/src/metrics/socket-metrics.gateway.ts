import { OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Server, Socket } from 'socket.io';
import { kindOfSharedCode } from '../errors/transport-status';
import { MetricsService } from './metrics';

/**
 * socket.io metrics, measured on the server rather than by an interceptor (Nest does not
 * apply global interceptors to gateways, and a metric that depends on every gateway
 * remembering a decorator is one that silently goes missing):
 * - `socketio_connected_sockets`: sockets of the default namespace that passed its
 *   middleware (authentication), read when Prometheus scrapes;
 * - `socketio_event_duration_seconds{event, outcome}`: from an event's arrival to its
 *   acknowledgement. The outcome comes from the reply every handler acknowledges with
 *   (`{ok: true}` or `{ok: false, error: {code}}`): `ok`, the kind of a shared error code
 *   (`INTERNAL`, `INVALID_ARGUMENT`, …) or `DOMAIN_RULE`. Events sent without an
 *   acknowledgement callback are counted as `unacknowledged` when dispatched. Event names
 *   are client-chosen, so names no handler listens to are all labelled `unhandled`.
 *
 * Added by `MetricsModule.forRoot({ socketIo: true })`.
 */
@WebSocketGateway()
export class SocketMetricsGateway implements OnGatewayInit<Server | Namespace> {
  constructor(private readonly metrics: MetricsService) {}

  afterInit(server: Server | Namespace): void {
    // Nest hands over the Server for the default namespace, a Namespace otherwise.
    const namespace = 'server' in server ? server : server.sockets;
    this.metrics.countSocketsWith(() => namespace.sockets.size);
    namespace.use((socket, next) => {
      socket.use((packet, nextPacket) => {
        this.observe(socket, packet);
        nextPacket();
      });
      next();
    });
  }

  /** Starts timing one incoming event; swaps its ack for one that stops the timer. */
  private observe(socket: Socket, packet: unknown[]): void {
    const [name] = packet;
    const event = typeof name === 'string' && socket.listenerCount(name) > 0 ? name : 'unhandled';
    const stop = this.metrics.socketEventDuration.startTimer({ event });
    const last = packet.length - 1;
    const ack = packet[last];
    if (last < 1 || typeof ack !== 'function') {
      stop({ outcome: 'unacknowledged' });
      return;
    }
    packet[last] = (...reply: unknown[]) => {
      stop({ outcome: outcomeOf(reply[0]) });
      return (ack as (...args: unknown[]) => unknown)(...reply);
    };
  }
}

/** `ok`, the kind of a shared error code, or `DOMAIN_RULE` for a service's own codes. */
export function outcomeOf(reply: unknown): string {
  const { ok, error } = (reply ?? {}) as { ok?: unknown; error?: { code?: unknown } };
  if (ok !== false) return 'ok';
  const code = typeof error?.code === 'string' ? error.code : '';
  return kindOfSharedCode(code) ?? 'DOMAIN_RULE';
}
