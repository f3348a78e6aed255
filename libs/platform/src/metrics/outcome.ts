import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { ErrorKind } from '@app/contracts';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-error';
import { dependencyOutage } from '../errors/dependency-outage';
import { GRPC_STATUS_OF, HTTP_STATUS_OF } from '../errors/http-status';

/**
 * Error → metric label mappings. They mirror what the transport filters answer, so a
 * dashboard's "errors" are the errors clients saw, and every label value comes from a
 * small closed set (never a message or an id).
 */

/** The {@link ErrorKind} an error is answered with; anything unrecognised is INTERNAL. */
export function errorKindOf(error: unknown): ErrorKind {
  if (error instanceof DomainError) return error.kind;
  if (error instanceof HttpException) return kindOfHttpStatus(error.getStatus());
  return dependencyOutage(error) ? 'UNAVAILABLE' : 'INTERNAL';
}

/** HTTP status an error is answered with (the global filter's mapping). */
export function httpStatusOf(error: unknown): number {
  if (error instanceof DomainError) return HTTP_STATUS_OF[error.kind];
  if (error instanceof HttpException) return error.getStatus();
  // Errors of Express middleware (body-parser, …) carry their own client status.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 600) return status;
  return dependencyOutage(error) ? HTTP_STATUS_OF.UNAVAILABLE : 500;
}

/** gRPC status name (`NOT_FOUND`, `INTERNAL`, …) an error is answered with. */
export function grpcCodeOf(error: unknown): string {
  if (error instanceof RpcException) {
    const raw = error.getError();
    const code = typeof raw === 'object' && raw !== null ? (raw as { code?: unknown }).code : 2;
    return grpcCodeName(typeof code === 'number' ? code : GrpcStatus.UNKNOWN);
  }
  return grpcCodeName(GRPC_STATUS_OF[errorKindOf(error)]);
}

/** The enum name of a numeric gRPC status; unknown numbers collapse into `UNKNOWN`. */
export function grpcCodeName(code: number): string {
  return (GrpcStatus as unknown as Record<number, string>)[code] ?? 'UNKNOWN';
}

function kindOfHttpStatus(status: number): ErrorKind {
  switch (status) {
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'ALREADY_EXISTS';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
  }
}
