import type { ErrorKind } from '@app/contracts';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { httpStatusOfDomainError } from '../errors/http-error';
import { toDomainError } from '../errors/normalise-error';

/*
 * Error → metric label, through the filters' own reading of an error (toDomainError) and
 * the transports' tables (errors/transport-status.ts), so a dashboard's "errors" are the
 * errors clients saw, and every label value comes from a small closed set (never a message
 * or an id).
 */

/** The {@link ErrorKind} an error is answered with; anything unrecognised is INTERNAL. */
export function errorKindOf(error: unknown): ErrorKind {
  return toDomainError(error).kind;
}

/** HTTP status an error is answered with (the global filter's mapping). */
export function httpStatusOf(error: unknown): number {
  return httpStatusOfDomainError(toDomainError(error));
}

/** The enum name of a numeric gRPC status; unknown numbers collapse into `UNKNOWN`. */
export function grpcCodeName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string>)[code] ?? 'UNKNOWN';
}
