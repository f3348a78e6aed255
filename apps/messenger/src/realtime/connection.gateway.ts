import { Inject, Logger, OnApplicationShutdown, Optional, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { ErrorCodes, SocketApi } from '@app/contracts';
import { AccessTokenVerifier, APP_CONFIG, DomainError, SessionRevocations } from '@app/platform';
import type { Server } from 'socket.io';
import type { MessengerConfig } from '../config/messenger.config';
import { SocketIoClientNotifier } from './client-notifier';
import { ok } from './ack';
import { ConnectionRegistry } from './connection-registry';
import { ExpirySchedule } from './expiry-schedule';
import { PresenceService } from './presence.service';
import { socketAuthMiddleware } from './socket-auth.middleware';
import { AuthenticatedSocket, socketIdentity, userRoom } from './socket-user';
import { WsAckExceptionFilter } from './ws-ack-exception.filter';
import { Payload } from './socket-payload.pipe';

/**
 * The life of a connection on the default namespace: the token and connection-limit check
 * at the handshake, the user's room and presence on connect, the end of the socket when
 * its token expires (a client reconnects with a fresh token), and the heartbeat that keeps
 * this instance's sockets counted in Redis. CORS, Origin allowlist and payload size come
 * from config through {@link MessengerIoAdapter}.
 *
 * Nothing here is kept per socket beyond what socket.io keeps and `data.user`: token
 * expiries share one timer ({@link ExpirySchedule}) and the heartbeat walks socket.io's
 * own list of this instance's sockets (bench F).
 */
@WebSocketGateway()
export class ConnectionGateway
  implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown
{
  private readonly logger = new Logger(ConnectionGateway.name);
  private readonly expiries = new ExpirySchedule<AuthenticatedSocket>((socket) =>
    this.expire(socket),
  );
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly notifier: SocketIoClientNotifier,
    private readonly registry: ConnectionRegistry,
    private readonly presence: PresenceService,
    @Inject(APP_CONFIG) private readonly config: MessengerConfig,
    @Optional() private readonly revocations?: SessionRevocations,
  ) {}

  afterInit(server: Server): void {
    server.use(
      socketAuthMiddleware(this.verifier, this.registry, this.config.limits.maxConnectionsPerUser),
    );
    this.notifier.attach(server);
    // This instance's connected sockets of the default namespace, as socket.io tracks them.
    const connected = server.sockets.sockets as Map<string, AuthenticatedSocket>;
    this.heartbeat = setInterval(() => {
      const sockets = Array.from(connected.values(), (socket) => ({
        socketId: socket.id,
        userId: socket.data.user.userId,
      }));
      this.registry
        .refresh(sockets)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'connection heartbeat failed'));
    }, this.config.presence.heartbeatMs);
    this.heartbeat.unref();
    // A session that ends (logout, deletion, suspension…) closes its sockets on every
    // instance: each follows the revocations itself. Rare, so a walk over the sockets.
    this.revocations?.onRevoked((sessionId) => {
      for (const socket of connected.values()) {
        if (socket.data.user.sessionId === sessionId) this.expire(socket, 'session ended');
      }
    });
  }

  async handleConnection(socket: AuthenticatedSocket): Promise<void> {
    const { user } = socket.data;
    this.expiries.add(socket, user.expiresAt);
    socket.onAny(answerUnknownEvent);
    await socket.join(userRoom(user.userId));
    this.logger.debug({ userId: user.userId, socketId: socket.id }, 'socket connected');
    await this.presence
      .connected(user.userId)
      .catch((error: unknown) =>
        this.logger.warn({ err: error }, 'presence: online not announced'),
      );
  }

  async handleDisconnect(socket: AuthenticatedSocket): Promise<void> {
    // Sockets refused by the handshake never had a user.
    const user = (socket.data as Partial<AuthenticatedSocket['data']>).user;
    if (!user) return;
    this.expiries.delete(socket, user.expiresAt);
    await this.presence
      .disconnected(user.userId, socket.id)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'presence: close not recorded'));
  }

  /**
   * `auth:refresh {token}` → `{ok, expiresAt}`: a fresh access token of the same user keeps
   * the socket open past the old token's expiry, without reconnecting.
   */
  @SubscribeMessage('auth:refresh')
  @UseFilters(WsAckExceptionFilter)
  async refresh(
    @ConnectedSocket() socket: AuthenticatedSocket,
    @Payload('auth:refresh') dto: SocketApi.ValidClientPayload<'auth:refresh'>,
  ): Promise<{ ok: true; expiresAt: string }> {
    const user = await this.verifier.verify(dto.token).catch(() => {
      throw new DomainError(
        'UNAUTHENTICATED',
        ErrorCodes.UNAUTHENTICATED,
        'invalid or expired token',
      );
    });
    if (user.userId !== socket.data.user.userId || user.sessionId !== socket.data.user.sessionId) {
      throw new DomainError('PERMISSION_DENIED', ErrorCodes.FORBIDDEN, 'token of another user');
    }
    this.expiries.delete(socket, socket.data.user.expiresAt);
    socket.data.user = socketIdentity(user);
    this.expiries.add(socket, user.expiresAt);
    return ok({ expiresAt: new Date(user.expiresAt * 1000).toISOString() });
  }

  /**
   * Closes a socket whose token has expired. The client first gets `auth:expired {code,
   * message}`, so it can tell this close from a network drop and reconnect with a fresh
   * token instead of retrying the dead one.
   */
  private expire(socket: AuthenticatedSocket, why = 'access token expired'): void {
    this.logger.debug({ userId: socket.data.user.userId, socketId: socket.id }, why);
    this.expiries.delete(socket, socket.data.user.expiresAt);
    // Sent before the close on the same connection, so the client always receives it.
    socket.emit('auth:expired', {
      code: ErrorCodes.UNAUTHENTICATED,
      message: `UNAUTHENTICATED: ${why}`,
    });
    socket.disconnect(true);
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    this.expiries.clear();
  }
}

const KNOWN_EVENTS: ReadonlySet<string> = new Set(SocketApi.CLIENT_EVENT_NAMES);

/**
 * Answers an event the API does not have, when sent with an acknowledgement, with
 * `{ok: false}` at once — a client must never wait for an answer that will not come. One
 * function shared by every socket (socket.io calls it with the socket as `this`).
 */
function answerUnknownEvent(event: string, ...args: unknown[]): void {
  if (KNOWN_EVENTS.has(event)) return;
  const ack = args.at(-1);
  if (typeof ack !== 'function') return;
  (ack as (reply: unknown) => void)({
    ok: false,
    error: {
      code: ErrorCodes.MESSENGER_UNKNOWN_EVENT,
      message: `Unknown event: ${String(event).slice(0, 64)}`,
    },
  });
}
