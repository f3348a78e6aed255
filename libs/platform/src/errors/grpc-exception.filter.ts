import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ErrorCodes } from '@app/contracts';
import { Metadata, status } from '@grpc/grpc-js';
import { Observable, throwError } from 'rxjs';
import { DomainError } from './domain-error';
import { GRPC_STATUS_OF } from './http-status';

/** Metadata key carrying the stable domain error code next to the gRPC status. */
export const ERROR_CODE_METADATA_KEY = 'x-error-code';

/**
 * Maps errors leaving a gRPC handler to a gRPC status. The domain code travels in the
 * `x-error-code` trailer so internal callers can switch on it; unknown errors are logged
 * and answered INTERNAL without details.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(GrpcExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (host.getType() !== 'rpc') return throwError(() => exception);
    if (exception instanceof DomainError) {
      const metadata = new Metadata();
      metadata.set(ERROR_CODE_METADATA_KEY, exception.code);
      return throwError(() => ({
        code: GRPC_STATUS_OF[exception.kind],
        message: exception.message,
        metadata,
      }));
    }
    if (exception instanceof RpcException) {
      return throwError(() => exception.getError());
    }
    this.logger.error({ err: exception }, 'Unhandled error in a gRPC handler');
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, ErrorCodes.INTERNAL);
    return throwError(() => ({ code: status.INTERNAL, message: 'Internal error', metadata }));
  }
}
