import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { DomainError, type GrpcErrorObject, toGrpcError, toHttpErrorBody } from '@app/platform';
import { Metadata } from '@grpc/grpc-js';
import type { Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { RateLimitedError } from '../rate-limit/rate-limit.errors';
import { badRequestStatus, STATUS_DETAILS_KEY } from './grpc-status-details';

/**
 * auth's domain errors, answered as the platform's filter answers them (same status, same
 * `{statusCode, code, message}` / `x-error-code`) plus what auth's clients need on top:
 * - rate limits: when to retry, as the `Retry-After` header or the `retry-after` trailer;
 * - validation on gRPC: the field violations as `google.rpc.BadRequest` in
 *   `grpc-status-details-bin` (HTTP already carries them in `details`).
 * Errors that are not DomainErrors go on to the global filter.
 */
@Catch(DomainError)
export class AuthErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: DomainError, host: ArgumentsHost): Observable<never> | void {
    const retryAfter =
      exception instanceof RateLimitedError ? String(exception.retryAfterSeconds) : undefined;
    if (host.getType() === 'http') {
      const body = toHttpErrorBody(exception, this.logger);
      const response = host.switchToHttp().getResponse<Response>();
      if (retryAfter) response.setHeader('Retry-After', retryAfter);
      response.status(body.statusCode).json(body);
      return;
    }
    const error = toGrpcError(exception, this.logger) as GrpcErrorObject;
    const metadata = error.metadata ?? new Metadata();
    if (retryAfter) metadata.set('retry-after', retryAfter);
    if (exception.kind === 'INVALID_ARGUMENT' && exception.details?.length) {
      metadata.set(
        STATUS_DETAILS_KEY,
        badRequestStatus(
          error.code,
          error.message,
          exception.details.map((d) => ({ field: d.field, description: d.message })),
        ),
      );
    }
    return throwError(() => ({ ...error, metadata }));
  }
}
