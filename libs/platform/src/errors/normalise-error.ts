import { HttpException, type Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { type ErrorCode, ErrorCodes } from '@app/contracts';
import { dependencyOutage } from './dependency-outage';
import { DomainError, isDomainError } from './domain-error';
import { codeOfHttpStatus, kindOfHttpStatus, SHARED_CODE_OF } from './transport-status';

/** The message of every error answered as INTERNAL: what went wrong is in the log only. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/**
 * An error that speaks HTTP — a Nest exception (guard, pipe, router, health check) or an
 * Express client error (body parsing) — as a DomainError that keeps its status, so HTTP
 * answers with that status while the other transports answer by its kind.
 */
export class HttpStatusError extends DomainError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    // The code comes from the exception's body or its status (`HTTP.405`): not a domain code.
    super(
      kindOfHttpStatus(status) ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'),
      code as ErrorCode,
      message,
    );
    this.name = 'HttpStatusError';
  }
}

/** Where an unexpected error is logged from, for {@link toDomainError}. */
export interface ErrorSource {
  logger: Logger;
  /** Completes "Unhandled error …": `on an HTTP route`, `in a gRPC handler`, … */
  where: string;
  /** More fields for the log line (the socket.io event, the GraphQL path). */
  context?: Record<string, unknown>;
}

/**
 * The one reading of a thrown error, shared by every transport's filter and by the
 * metrics: what clients are answered with, as a DomainError.
 * - a DomainError is itself;
 * - a dependency outage (database gone) is UNAVAILABLE, logged as a warning;
 * - an error that speaks HTTP is an {@link HttpStatusError};
 * - a socket.io WsException is INVALID_ARGUMENT with its message;
 * - anything else is logged as an error and masked as INTERNAL.
 * Without a `source` nothing is logged (the metrics read errors the filters log).
 */
export function toDomainError(error: unknown, source?: ErrorSource): DomainError {
  if (isDomainError(error)) return error;
  const outage = dependencyOutage(error);
  if (outage) {
    source?.logger.warn({ err: error }, 'A dependency is unavailable; answered UNAVAILABLE');
    return outage;
  }
  if (error instanceof HttpException) return fromHttpException(error);
  const clientError = asExposedClientError(error);
  if (clientError) {
    const { status, message } = clientError;
    return new HttpStatusError(status, codeOfHttpStatus(status), message);
  }
  if (error instanceof WsException) {
    return new DomainError('INVALID_ARGUMENT', SHARED_CODE_OF.INVALID_ARGUMENT, error.message);
  }
  source?.logger.error({ err: error, ...source.context }, `Unhandled error ${source.where}`);
  return new DomainError('INTERNAL', ErrorCodes.INTERNAL, INTERNAL_ERROR_MESSAGE);
}

/** Status, code and message of a Nest exception; its body may bring its own `code`. */
function fromHttpException(exception: HttpException): HttpStatusError {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const raw =
    typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
  const message = Array.isArray(raw.message)
    ? raw.message.join('; ')
    : typeof raw.message === 'string'
      ? raw.message
      : exception.message;
  const code = typeof raw.code === 'string' ? raw.code : codeOfHttpStatus(status);
  return new HttpStatusError(status, code, message);
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
