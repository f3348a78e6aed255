import { HttpException, Logger } from '@nestjs/common';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCodes, type ErrorKind } from '@app/contracts';
import { asOutage, isDomainError } from '@app/platform';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { QueryLimitError } from './query-limits';

/** `extensions.code` of each domain error kind (Apollo's codes where Apollo has one). */
export const GRAPHQL_CODE_OF: Record<ErrorKind, string> = {
  INVALID_ARGUMENT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'CONFLICT',
  FAILED_PRECONDITION: 'CONFLICT',
  RESOURCE_EXHAUSTED: 'RATE_LIMITED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** Nest HTTP exceptions (e.g. from ValidationPipe) by status. */
const HTTP_STATUS_CODES: Record<number, { code: string; errorCode: string }> = {
  400: { code: 'BAD_USER_INPUT', errorCode: ErrorCodes.VALIDATION_FAILED },
  401: { code: 'UNAUTHENTICATED', errorCode: ErrorCodes.UNAUTHENTICATED },
  403: { code: 'FORBIDDEN', errorCode: ErrorCodes.FORBIDDEN },
  404: { code: 'NOT_FOUND', errorCode: ErrorCodes.NOT_FOUND },
};

const logger = new Logger('GraphQLErrors');

/**
 * The one place errors become GraphQL errors: domain errors keep their message and
 * carry `extensions.code` (by kind) and `extensions.errorCode` (the stable domain code);
 * Apollo's own request errors (parse, validation, bad variables) pass unchanged; any
 * other error is logged and masked, so internals never reach a client.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(error);
  const original = asOutage(unwrapped, logger) ?? unwrapped;
  const base = { locations: formatted.locations, path: formatted.path };
  if (isDomainError(original)) {
    return {
      ...base,
      message: original.message,
      extensions: {
        code: GRAPHQL_CODE_OF[original.kind],
        errorCode: original.code,
        ...(original.details ? { details: original.details } : {}),
      },
    };
  }
  if (original instanceof HttpException && HTTP_STATUS_CODES[original.getStatus()]) {
    const response = original.getResponse() as { message?: unknown };
    const message = Array.isArray(response.message)
      ? response.message.join('; ')
      : original.message;
    return { ...base, message, extensions: { ...HTTP_STATUS_CODES[original.getStatus()] } };
  }
  if (original instanceof QueryLimitError) {
    const { code, limit, actual } = original.extensions;
    return { ...base, message: original.message, extensions: { code, limit, actual } };
  }
  // Apollo's own verdicts on a request (parse, validation, bad variables) carry their
  // code and a message meant for the client.
  const code = formatted.extensions?.code;
  if (
    original instanceof GraphQLError &&
    typeof code === 'string' &&
    code !== 'INTERNAL_SERVER_ERROR'
  ) {
    return { ...base, message: formatted.message, extensions: { code } };
  }
  logger.error({ err: original, path: formatted.path }, 'Unhandled error in a GraphQL resolver');
  return {
    ...base,
    message: 'Internal server error',
    extensions: { code: 'INTERNAL_SERVER_ERROR', errorCode: ErrorCodes.INTERNAL },
  };
}
