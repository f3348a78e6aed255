import { ErrorCodes } from '@app/contracts';
import type { AccessTokenVerifier } from '@app/platform';
import type { ExtendedError, Socket } from 'socket.io';

/** The `connect_error` a client sees; `data.code` is the stable code to switch on. */
function unauthenticated(reason: string): ExtendedError {
  const error: ExtendedError = new Error(`UNAUTHENTICATED: ${reason}`);
  error.data = { code: ErrorCodes.UNAUTHENTICATED };
  return error;
}

/**
 * socket.io middleware: a connection opens only with a valid access token in
 * `handshake.auth.token`. Runs before the `connection` event, so an unauthenticated
 * client never joins a room nor reaches a handler.
 */
export function socketAuthMiddleware(verifier: AccessTokenVerifier) {
  return (socket: Socket, next: (error?: ExtendedError) => void): void => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    if (typeof token !== 'string' || token.length === 0) {
      next(unauthenticated('missing token'));
      return;
    }
    verifier.verify(token).then(
      (user) => {
        (socket.data as { user?: unknown }).user = user;
        next();
      },
      () => next(unauthenticated('invalid or expired token')),
    );
  };
}
