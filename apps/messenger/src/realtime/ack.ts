/** The error half of every acknowledgement: a stable code clients switch on. */
export interface AckError {
  code: string;
  message: string;
  /** Per-field problems, for validation errors. */
  details?: ReadonlyArray<{ field: string; message: string }>;
}

/** Every client → server event is answered through its socket.io acknowledgement with this. */
export type Ack<T extends object = Record<string, never>> =
  ({ ok: true } & T) | { ok: false; error: AckError };

/** A successful acknowledgement carrying `body`. */
export const ok = <T extends object>(body: T): { ok: true } & T => ({ ok: true, ...body });
