import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Server } from 'socket.io';
import type { SocketApi } from '@app/contracts';
import { userRoom } from './socket-user';

/** Server → client events and their payloads, as the socket API contract defines them. */
export type ServerEvents = { [E in SocketApi.ServerEventName]: SocketApi.ServerPayload<E> };

/**
 * Pushes events to every connected device of some users. A port, so services stay free
 * of socket.io and a Redis adapter (several instances) changes nothing above it.
 */
export abstract class ClientNotifier {
  abstract toUsers<E extends keyof ServerEvents>(
    userIds: readonly string[],
    event: E,
    payload: ServerEvents[E],
    options?: { exceptUserId?: string },
  ): void;
}

/** {@link ClientNotifier} through the socket.io server, by each user's room. */
@Injectable()
export class SocketIoClientNotifier extends ClientNotifier implements OnModuleDestroy {
  private server?: Server;

  /** Called once the gateway's server exists (its `afterInit`). */
  attach(server: Server): void {
    this.server = server;
  }

  /**
   * Shutting down: pushes stop before the socket.io server and its Redis adapter close.
   * Nest closes the Kafka transport after them, so a consumer may still commit an event
   * meanwhile; its push would go to a closed Redis connection (an unhandled rejection in
   * the adapter). Clients catch up with `sync` on the instance they reconnect to.
   */
  onModuleDestroy(): void {
    this.server = undefined;
  }

  toUsers<E extends keyof ServerEvents>(
    userIds: readonly string[],
    event: E,
    payload: ServerEvents[E],
    options: { exceptUserId?: string } = {},
  ): void {
    if (!this.server || userIds.length === 0) return;
    const rooms = this.server.to(userIds.map(userRoom));
    // Through the Redis adapter: reaches the users' sockets on every instance.
    (options.exceptUserId ? rooms.except(userRoom(options.exceptUserId)) : rooms).emit(
      event,
      payload,
    );
  }
}
