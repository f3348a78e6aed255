import type { SocketApi } from '@app/contracts';

export type AckError = SocketApi.AckError;

/** Every client → server event is answered through its socket.io acknowledgement with this. */
export type Ack<T extends object = Record<string, never>> =
  ({ ok: true } & T) | { ok: false; error: AckError };

/** A successful acknowledgement carrying `body`. */
export const ok = <T extends object>(body: T): { ok: true } & T => ({ ok: true, ...body });
