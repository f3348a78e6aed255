import { Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import type { AccessTokenVerifier, AuthenticatedUser } from '@app/platform';
import type { ExtendedError, Socket } from 'socket.io';
import type { ConnectionRegistry } from './connection-registry';
import { socketIdentity } from './socket-user';

/** The `connect_error` a client sees; `data.code` is the stable code to switch on. */
function refusal(code: string, message: string): ExtendedError {
  const error: ExtendedError = new Error(message);
  error.data = { code };
  return error;
}

const unauthenticated = (reason: string) =>
  refusal(ErrorCodes.UNAUTHENTICATED, `UNAUTHENTICATED: ${reason}`);

const logger = new Logger('SocketAuth');

/**
 * socket.io middleware: a connection opens only with a valid access token in
 * `handshake.auth.token`, and only while the user holds fewer than `maxConnections`
 * sockets (every device, every instance). Runs before the `connection` event, so a
 * refused client never joins a room nor reaches a handler. The verified token is not kept
 * in `handshake.auth`: nothing reads it again (`auth:refresh` brings its own), and a
 * socket lives for hours holding it otherwise (~0.5 KiB each, bench F).
 */
export function socketAuthMiddleware(
  verifier: AccessTokenVerifier,
  registry: ConnectionRegistry,
  maxConnections: number,
) {
  const admit = async (socket: Socket, user: AuthenticatedUser): Promise<ExtendedError | null> => {
    let count: number;
    try {
      count = await registry.add(user.userId, socket.id);
    } catch (error) {
      // Redis down: let the user in uncounted rather than lock everybody out of chat.
      logger.warn({ err: error }, 'connection registry unavailable; connection not counted');
      return null;
    }
    if (count <= maxConnections) return null;
    await registry.remove(user.userId, socket.id).catch(() => undefined);
    return refusal(
      ErrorCodes.RATE_LIMITED,
      `RATE_LIMITED: at most ${maxConnections} connections per user`,
    );
  };

  return (socket: Socket, next: (error?: ExtendedError) => void): void => {
    const { token, ...rest } = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    if (typeof token !== 'string' || token.length === 0) {
      next(unauthenticated('missing token'));
      return;
    }
    verifier.verify(token).then(
      async (user) => {
        const refused = await admit(socket, user);
        if (refused) return next(refused);
        socket.handshake.auth = rest;
        (socket.data as { user?: unknown }).user = socketIdentity(user);
        next();
      },
      () => next(unauthenticated('invalid or expired token')),
    );
  };
}
