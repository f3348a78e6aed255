import type { ErrorCode, ErrorKind } from '@app/contracts';

/**
 * A rule of the domain was broken. Carries a stable code and a transport-neutral kind;
 * each transport's exception filter maps the kind to its own status. Knows nothing of
 * HTTP, gRPC, GraphQL or socket.io.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: ErrorCode,
    message: string,
    /** Per-field problems, for validation errors. */
    readonly details?: ReadonlyArray<{ field: string; message: string }>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
