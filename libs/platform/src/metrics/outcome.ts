import { HttpException } from '@nestjs/common';
import type { ErrorKind } from '@app/contracts';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-error';
import { dependencyOutage } from '../errors/dependency-outage';
import { HTTP_STATUS_OF, kindOfHttpStatus } from '../errors/transport-status';

/*
 * Error → metric label, from the transports' own tables (errors/transport-status.ts), so a
 * dashboard's "errors" are the errors clients saw, and every label value comes from a
 * small closed set (never a message or an id).
 */

/** The {@link ErrorKind} an error is answered with; anything unrecognised is INTERNAL. */
export function errorKindOf(error: unknown): ErrorKind {
  if (error instanceof DomainError) return error.kind;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return kindOfHttpStatus(status) ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
  }
  return dependencyOutage(error) ? 'UNAVAILABLE' : 'INTERNAL';
}

/** HTTP status an error is answered with (the global filter's mapping). */
export function httpStatusOf(error: unknown): number {
  if (error instanceof DomainError) return HTTP_STATUS_OF[error.kind];
  if (error instanceof HttpException) return error.getStatus();
  // Errors of Express middleware (body-parser, …) carry their own client status.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 600) return status;
  return dependencyOutage(error) ? HTTP_STATUS_OF.UNAVAILABLE : HTTP_STATUS_OF.INTERNAL;
}

/** The enum name of a numeric gRPC status; unknown numbers collapse into `UNKNOWN`. */
export function grpcCodeName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string>)[code] ?? 'UNKNOWN';
}
