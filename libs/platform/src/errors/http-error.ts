import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ErrorCodes } from '@app/contracts';
import { DomainError } from './domain-error';
import { asOutage } from './dependency-outage';
import { codeOfHttpStatus, HTTP_STATUS_OF } from './transport-status';

/** The JSON body of every HTTP error: `{statusCode, code, message}` (+ field details). */
export interface HttpErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: ReadonlyArray<{ field: string; message: string }>;
}

/**
 * The HTTP answer to an error: domain errors keep their code; Nest's HTTP exceptions get
 * a code from their status; a dependency outage answers 503; anything else is logged and
 * masked as 500, so internals never reach a client.
 */
export function toHttpErrorBody(error: unknown, logger: Logger): HttpErrorBody {
  const exception = asOutage(error, logger) ?? error;
  if (exception instanceof DomainError) {
    return {
      statusCode: HTTP_STATUS_OF[exception.kind],
      code: exception.code,
      message: exception.message,
      ...(exception.details ? { details: exception.details } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const raw =
      typeof response === 'object' && response !== null
        ? (response as Record<string, unknown>)
        : {};
    const message = Array.isArray(raw.message)
      ? raw.message.join('; ')
      : typeof raw.message === 'string'
        ? raw.message
        : exception.message;
    return {
      statusCode,
      code: typeof raw.code === 'string' ? raw.code : codeOfHttpStatus(statusCode),
      message,
    };
  }
  const clientError = asExposedClientError(exception);
  if (clientError) {
    return {
      statusCode: clientError.status,
      code: codeOfHttpStatus(clientError.status),
      message: clientError.message,
    };
  }
  logger.error({ err: exception }, 'Unhandled error on an HTTP route');
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    code: ErrorCodes.INTERNAL,
    message: 'Internal server error',
  };
}

/**
 * Errors of Express middleware (body-parser's "too large" or "bad JSON") follow the
 * http-errors convention: a 4xx `status` and `expose: true` when the message is safe to
 * show. They are the client's fault and answer as such, not as a masked 500.
 */
function asExposedClientError(e: unknown): { status: number; message: string } | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { status, expose, message } = e as {
    status?: unknown;
    expose?: unknown;
    message?: unknown;
  };
  if (expose !== true || typeof status !== 'number' || status < 400 || status > 499)
    return undefined;
  return { status, message: typeof message === 'string' ? message : 'Bad request' };
}
