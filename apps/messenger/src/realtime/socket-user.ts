import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '@app/platform';
import type { Socket } from 'socket.io';

/**
 * Who a socket authenticated as: only what handlers and the expiry schedule read. Every
 * open socket holds one, so the token's other claims (email) are not kept.
 */
export type SocketIdentity = Pick<AuthenticatedUser, 'userId' | 'expiresAt' | 'sessionId'>;

/** The identity kept on a socket for a verified access token. */
export const socketIdentity = ({
  userId,
  expiresAt,
  sessionId,
}: AuthenticatedUser): SocketIdentity => ({ userId, expiresAt, sessionId });

/** What the handshake middleware stores on every socket it lets through. */
export interface SocketData {
  user: SocketIdentity;
}

/**
 * Events the server emits on one socket directly (everything else goes through user rooms,
 * see `ClientNotifier`).
 */
export interface SocketServerEvents {
  'auth:expired': (notice: { code: string; message: string }) => void;
}

/** A socket past the handshake: its `data.user` is always set. */
export type AuthenticatedSocket = Socket<
  Record<string, never>,
  SocketServerEvents,
  Record<string, never>,
  SocketData
>;

/** The room of every socket of one user: server pushes to a user go here (all devices). */
export const userRoom = (userId: string): string => `user:${userId}`;

/** The user the socket of a handled event authenticated as. */
export const SocketUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): SocketIdentity =>
    context.switchToWs().getClient<AuthenticatedSocket>().data.user,
);
