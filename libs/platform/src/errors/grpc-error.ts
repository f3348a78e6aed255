import { HttpException, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ErrorCodes } from '@app/contracts';
import { Metadata, status } from '@grpc/grpc-js';
import { DomainError } from './domain-error';
import { asOutage } from './dependency-outage';
import { toHttpErrorBody } from './http-error';
import { GRPC_STATUS_OF, kindOfHttpStatus } from './transport-status';

/** Metadata key carrying the stable domain error code next to the gRPC status. */
export const ERROR_CODE_METADATA_KEY = 'x-error-code';

/** The shape Nest's gRPC transport turns into a status: code, details and trailers. */
export interface GrpcErrorObject {
  code: number;
  message: string;
  metadata?: Metadata;
}

/**
 * The gRPC answer to an error. The domain code travels in the `x-error-code` trailer so
 * internal callers can switch on it; a dependency outage answers UNAVAILABLE; unknown
 * errors are logged and answered INTERNAL without details.
 */
export function toGrpcError(error: unknown, logger: Logger): GrpcErrorObject | object {
  const exception = asOutage(error, logger) ?? error;
  const metadata = new Metadata();
  if (exception instanceof DomainError) {
    metadata.set(ERROR_CODE_METADATA_KEY, exception.code);
    return { code: GRPC_STATUS_OF[exception.kind], message: exception.message, metadata };
  }
  if (exception instanceof HttpException) {
    // The global ValidationPipe and guards speak HTTP; a gRPC caller gets the matching status.
    const body = toHttpErrorBody(exception, logger);
    const kind = kindOfHttpStatus(body.statusCode);
    metadata.set(ERROR_CODE_METADATA_KEY, body.code);
    return {
      code: kind ? GRPC_STATUS_OF[kind] : status.UNKNOWN,
      message: body.message,
      metadata,
    };
  }
  if (exception instanceof RpcException) {
    const error = exception.getError();
    return typeof error === 'object' ? error : { code: status.UNKNOWN, message: error };
  }
  logger.error({ err: exception }, 'Unhandled error in a gRPC handler');
  metadata.set(ERROR_CODE_METADATA_KEY, ErrorCodes.INTERNAL);
  return { code: status.INTERNAL, message: 'Internal error', metadata };
}
