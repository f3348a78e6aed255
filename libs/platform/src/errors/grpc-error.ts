import type { Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Metadata, status } from '@grpc/grpc-js';
import { toDomainError } from './normalise-error';
import { GRPC_STATUS_OF } from './transport-status';

/** Metadata key carrying the stable domain error code next to the gRPC status. */
export const ERROR_CODE_METADATA_KEY = 'x-error-code';

/** The shape Nest's gRPC transport turns into a status: code, details and trailers. */
export interface GrpcErrorObject {
  code: number;
  message: string;
  metadata?: Metadata;
}

/**
 * The gRPC answer to an error: the status of its {@link toDomainError} kind, with the
 * domain code in the `x-error-code` trailer so internal callers can switch on it. An
 * RpcException already is a gRPC answer and goes out as it is.
 */
export function toGrpcError(error: unknown, logger: Logger): GrpcErrorObject | object {
  if (error instanceof RpcException) {
    const answer = error.getError();
    return typeof answer === 'object' ? answer : { code: status.UNKNOWN, message: answer };
  }
  const domainError = toDomainError(error, { logger, where: 'in a gRPC handler' });
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, domainError.code);
  return { code: GRPC_STATUS_OF[domainError.kind], message: domainError.message, metadata };
}
