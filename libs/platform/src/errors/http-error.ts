import type { Logger } from '@nestjs/common';
import type { DomainError } from './domain-error';
import { HttpStatusError, toDomainError } from './normalise-error';
import { HTTP_STATUS_OF } from './transport-status';

/** The JSON body of every HTTP error: `{statusCode, code, message}` (+ field details). */
export interface HttpErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: ReadonlyArray<{ field: string; message: string }>;
}

/** The HTTP status `error` is answered with once read by {@link toDomainError}. */
export function httpStatusOfDomainError(error: DomainError): number {
  return error instanceof HttpStatusError ? error.status : HTTP_STATUS_OF[error.kind];
}

/**
 * The HTTP answer to an error: its {@link toDomainError} reading, with the status of its
 * kind (or the status Nest or Express gave it), its code and message and any details.
 */
export function toHttpErrorBody(error: unknown, logger: Logger): HttpErrorBody {
  const domainError = toDomainError(error, { logger, where: 'on an HTTP route' });
  return {
    statusCode: httpStatusOfDomainError(domainError),
    code: domainError.code,
    message: domainError.message,
    ...(domainError.details ? { details: domainError.details } : {}),
  };
}
