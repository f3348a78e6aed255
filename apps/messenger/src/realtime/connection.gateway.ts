import { Logger } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
} from '@nestjs/websockets';
import { AccessTokenVerifier } from '@app/platform';
import type { Server } from 'socket.io';
import { SocketIoClientNotifier } from './client-notifier';
import { socketAuthMiddleware } from './socket-auth.middleware';
import { AuthenticatedSocket, userRoom } from './socket-user';

/** setTimeout cannot wait longer than this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The life of a connection on the default namespace: the token check at the handshake,
 * the user's room on connect, and the end of the socket when its token expires (a client
 * reconnects with a fresh token). CORS comes from config through {@link MessengerIoAdapter}.
 */
@WebSocketGateway()
export class ConnectionGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ConnectionGateway.name);
  private readonly expiryTimers = new WeakMap<AuthenticatedSocket, NodeJS.Timeout>();

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly notifier: SocketIoClientNotifier,
  ) {}

  afterInit(server: Server): void {
    server.use(socketAuthMiddleware(this.verifier));
    this.notifier.attach(server);
  }

  async handleConnection(socket: AuthenticatedSocket): Promise<void> {
    const { user } = socket.data;
    await socket.join(userRoom(user.userId));
    const ttl = Math.min(user.expiresAt * 1000 - Date.now(), MAX_TIMER_MS);
    const timer = setTimeout(() => socket.disconnect(true), Math.max(ttl, 0));
    timer.unref();
    this.expiryTimers.set(socket, timer);
    this.logger.debug({ userId: user.userId, socketId: socket.id }, 'socket connected');
  }

  handleDisconnect(socket: AuthenticatedSocket): void {
    clearTimeout(this.expiryTimers.get(socket));
    this.expiryTimers.delete(socket);
  }
}
