import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedUser } from '@app/platform';
import type { Socket } from 'socket.io';

/** What the handshake middleware stores on every socket it lets through. */
export interface SocketData {
  user: AuthenticatedUser;
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
  (_data: unknown, context: ExecutionContext): AuthenticatedUser =>
    context.switchToWs().getClient<AuthenticatedSocket>().data.user,
);
